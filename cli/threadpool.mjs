// Size libuv's thread pool before anything uses it. The reference signs tokens on the pool (RSA off the event
// loop); on a 2-core machine one pool thread beside the event loop measured best (bench/issue: 0.81 vs 0.73 of
// the raw RSA rate with the default 4, which oversubscribe the cores and preempt the event loop). A value the
// user set wins.
import { availableParallelism } from "node:os";

if (!process.env.UV_THREADPOOL_SIZE) {
  process.env.UV_THREADPOOL_SIZE = String(Math.max(1, availableParallelism() - 1));
}
