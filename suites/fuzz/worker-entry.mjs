// Entry of a fuzz worker thread (parallel.ts): the harness is TypeScript loaded through tsx, registered here
// because a worker does not inherit its parent's module hooks.
const { register } = await import("tsx/esm/api");
register();
await import("./worker.ts");
