// protocol/wsfed/html.ts: what the undici browser reads out of a page — forms with decoded values, subresources,
// refresh and script redirects, the self-submit rule — on real-world shapes (AD FS, WIF, SAML POST pages) and on
// hostile markup, which must never throw and stays within the limits.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  autoSubmittingForms,
  decodeEntities,
  DEFAULT_HTML_LIMITS,
  formFields,
  loginForm,
  parseHtml,
  parseRefresh,
  resolveUrl,
  usernameControl,
} from "../../protocol/wsfed/html.ts";

describe("entities", () => {
  it("decodes named, decimal and hex references; invalid code points become U+FFFD", () => {
    expect(decodeEntities("&lt;a&gt; &amp; &quot;x&quot; &apos;y&apos; &nbsp;")).toBe("<a> & \"x\" 'y' \u00a0");
    expect(decodeEntities("&#65;&#x42;&#X43;&#0;&#xD800;&#x110000;&#99999999999;")).toBe("ABC\ufffd\ufffd\ufffd\ufffd");
    expect(decodeEntities("&#128;&#x99;")).toBe("\u20ac\u2122"); // windows-1252 remap of C1 references
    expect(decodeEntities("&#x1F600;")).toBe("\u{1F600}");
    expect(decodeEntities("&unknown; &amp")).toBe("&unknown; &");
  });

  it("legacy names without semicolon: decoded in text, kept in attribute values before = or alphanumerics", () => {
    expect(decodeEntities("a&copy=2")).toBe("a\u00a9=2");
    expect(decodeEntities("?a=1&copy=2", true)).toBe("?a=1&copy=2");
    expect(decodeEntities("x&amp y", true)).toBe("x& y");
    expect(decodeEntities("&ampx")).toBe("&x");
  });
});

describe("forms", () => {
  const WSFED = `<html><body><form method="POST" name="hiddenform" action="https://rp.example/app/">
    <input type="hidden" name="wa" value="wsignin1.0" />
    <input type="hidden" name="wresult" value="&lt;t:RequestSecurityTokenResponse xmlns:t=&quot;urn:t&quot;&gt;&#xD;&#xA;&lt;/t:RequestSecurityTokenResponse&gt;" />
    <input type="hidden" name="wctx" value="rm=0&amp;id=passive&amp;ru=%2f" />
    <noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit" /></noscript>
  </form><script language="javascript">window.setTimeout('document.forms[0].submit()', 0);</script></body></html>`;

  it("reads an AD FS sign-in response: action, method, hidden fields with decoded values, auto-submitted", () => {
    const page = parseHtml(WSFED);
    expect(page.forms).toHaveLength(1);
    const f = page.forms[0]!;
    expect(f).toMatchObject({ action: "https://rp.example/app/", method: "POST", name: "hiddenform", hasPassword: false });
    expect(formFields(f)).toEqual([
      ["wa", "wsignin1.0"],
      ["wresult", '<t:RequestSecurityTokenResponse xmlns:t="urn:t">\r\n</t:RequestSecurityTokenResponse>'],
      ["wctx", "rm=0&id=passive&ru=%2f"],
    ]);
    expect(f.controls.find((c) => c.type === "submit")?.inNoscript).toBe(true);
    expect(page.scriptSubmits).toEqual([0]);
    expect(autoSubmittingForms(page).map((x) => x.index)).toEqual([0]);
  });

  it("the noscript rule alone: hidden inputs plus only noscript submit buttons", () => {
    const page = parseHtml(WSFED.replace(/<script[\s\S]*<\/script>/, ""));
    expect(page.scriptSubmits).toEqual([]);
    expect(autoSubmittingForms(page)).toHaveLength(1);
    // A visible submit button means a person is expected to click: not self-submitting.
    const visible = parseHtml(WSFED.replace(/<script[\s\S]*<\/script>/, "").replace(/<\/?noscript>/g, ""));
    expect(autoSubmittingForms(visible)).toEqual([]);
    // A text input too.
    const text = parseHtml(WSFED.replace(/<script[\s\S]*<\/script>/, "").replace("</noscript>", '</noscript><input name="q">'));
    expect(autoSubmittingForms(text)).toEqual([]);
  });

  it("finds the form a script submits, by index, name, id, selector, onload or the only form", () => {
    const two = (script: string, body = ""): number[] =>
      parseHtml(`<body ${body}><form id=a name=first><input type=text name=x></form><form id=b name=second><input type=text name=y></form><script>${script}</script>`).scriptSubmits;
    expect(two("document.forms[1].submit();")).toEqual([1]);
    expect(two('document.forms["second"].submit()')).toEqual([1]);
    expect(two("document.forms.first.submit()")).toEqual([0]);
    expect(two("document.getElementById('b').submit()")).toEqual([1]);
    expect(two('document.querySelector("form#b").requestSubmit()')).toEqual([1]);
    expect(two('document.querySelector("form").submit()')).toEqual([0]);
    expect(two('document.getElementsByTagName("form")[1].submit()')).toEqual([1]);
    expect(two("document.second.submit()")).toEqual([1]);
    expect(two("", 'onload="document.forms[0].submit()"')).toEqual([0]);
    expect(two("var f = pick(); f.submit();")).toEqual([]); // a variable with two forms: undecidable
    expect(parseHtml("<form><input type=hidden name=a value=1></form><script>var f = document.forms[0]; f.submit()</script>").scriptSubmits).toEqual([0]);
    expect(two("document.forms[7].submit()")).toEqual([]);
    expect(two('el.addEventListener("click", function () { /* no submit */ })')).toEqual([]);
  });

  it("a login form: the password form, its username input, submit button and other fields", () => {
    const page = parseHtml(`<form method="post" id="loginForm" action="/adfs/ls/?client-request-id=1&amp;wa=wsignin1.0">
      <input id="userNameInput" name="UserName" type="email" value="">
      <input id="passwordInput" name="Password" type="password">
      <input id="kmsiInput" type="checkbox" name="Kmsi" value="true">
      <input type=checkbox name=Remember checked>
      <input type="hidden" name="AuthMethod" value="FormsAuthentication">
      <select name=lang><option value=en>English<option value=fr selected>Français</select>
      <textarea name=note>
line &amp; more</textarea>
      <button name=go value=1>Sign in</button><input type=submit name=other value=2>
      <input name=off value=x disabled>
    </form>`);
    const f = loginForm(page)!;
    expect(f.action).toBe("/adfs/ls/?client-request-id=1&wa=wsignin1.0");
    expect(usernameControl(f)?.name).toBe("UserName");
    expect(usernameControl(f, "AuthMethod")?.name).toBe("AuthMethod");
    const submit = f.controls.find((c) => c.type === "submit");
    expect(submit?.name).toBe("go");
    expect(formFields(f, submit)).toEqual([
      ["UserName", ""],
      ["Password", ""],
      ["Remember", "on"],
      ["AuthMethod", "FormsAuthentication"],
      ["lang", "fr"],
      ["note", "line & more"],
      ["go", "1"],
    ]);
    expect(autoSubmittingForms(page)).toEqual([]);
  });

  it("inputs outside the form with form=id join it; a form nested in a form is ignored", () => {
    const page = parseHtml(`<form id=f action=/x><form action=/nested><input type=hidden name=a value=1></form>
      <input type=hidden name=b value=2 form=f><input type=hidden name=c value=3 form=missing>`);
    expect(page.forms).toHaveLength(1);
    expect(formFields(page.forms[0]!)).toEqual([["a", "1"], ["b", "2"]]);
  });
});

describe("subresources and redirects", () => {
  it("img, iframe and frame sources in order, decoded", () => {
    const page = parseHtml(`<img src="https://rp1/?wa=wsignoutcleanup1.0&amp;x=1"><IFRAME SRC=https://rp2/cleanup></iframe><frame src='/f'><img alt=no-src><img src="  ">`);
    expect(page.subresources).toEqual([
      { tag: "img", src: "https://rp1/?wa=wsignoutcleanup1.0&x=1" },
      { tag: "iframe", src: "https://rp2/cleanup" },
      { tag: "iframe", src: "/f" },
    ]);
  });

  it("meta refresh in its written forms", () => {
    expect(parseRefresh("0; url=https://a/b")).toEqual({ delaySeconds: 0, url: "https://a/b" });
    expect(parseRefresh("0;URL='/x?y=1'")).toEqual({ delaySeconds: 0, url: "/x?y=1" });
    expect(parseRefresh("5, /later")).toEqual({ delaySeconds: 5, url: "/later" });
    expect(parseRefresh("3")).toEqual({ delaySeconds: 3, url: "" });
    expect(parseRefresh("soon")).toBeUndefined();
    expect(parseHtml(`<meta http-equiv=REFRESH content="0;url=/go&amp;x">`).metaRefresh).toEqual({ delaySeconds: 0, url: "/go&x" });
  });

  it("script location redirects: string literals only", () => {
    const loc = (js: string): string | undefined => parseHtml(`<script>${js}</script>`).scriptLocation;
    expect(loc(`window.location = "https://a/\\x62?c=\\u0064";`)).toBe("https://a/b?c=d");
    expect(loc(`document.location.href='\\/rel'`)).toBe("/rel");
    expect(loc(`location.replace("/r")`)).toBe("/r");
    expect(loc(`top.location.assign('/t')`)).toBe("/t");
    expect(loc(`if (location == "x") {}`)).toBeUndefined();
    expect(loc(`window.location = computeIt();`)).toBeUndefined();
    expect(parseHtml(`<script type="text/template">location = "/no"</script>`).scriptLocation).toBeUndefined();
    expect(parseHtml(`<script src="/x.js">location = "/no"</script>`).scriptLocation).toBeUndefined();
  });

  it("resolves against the page and <base href>", () => {
    expect(resolveUrl("../b?c", "https://h/a/x/y")?.href).toBe("https://h/a/b?c");
    expect(resolveUrl("c", "https://h/a/", "https://other/base/")?.href).toBe("https://other/base/c");
    expect(resolveUrl(" /p\n ", "https://h/")?.href).toBe("https://h/p");
    expect(resolveUrl("http://[bad", "https://h/")).toBeUndefined();
  });
});

describe("hostile markup", () => {
  it("unclosed tags, stray <, comments and scripts hiding markup, duplicate and bare attributes", () => {
    const page = parseHtml(`<p>1 < 2 <b <!-- <form action=/hidden> --> <script>"<form action='/in-script'>"</script>
      <form action=/real method=post class=a class=b action=/dup><input type=hidden name=v value=a&quot;b><input type=hidden name=w value="unterminated`);
    expect(page.forms).toHaveLength(1);
    expect(page.forms[0]!.action).toBe("/real");
    expect(formFields(page.forms[0]!)).toEqual([["v", 'a"b']]);
  });

  it("an unterminated script or comment swallows the rest, as in a browser, without throwing", () => {
    expect(parseHtml("<script>document.forms[0].submit(); <form action=/x>").forms).toEqual([]);
    expect(parseHtml("<!-- <form action=/x>").forms).toEqual([]);
    expect(parseHtml("<").forms).toEqual([]);
    // End of input inside a tag drops the tag, as in the HTML tokenizer.
    expect(parseHtml("<form action='/x").forms).toEqual([]);
    expect(parseHtml("<form action=/x").forms).toEqual([]);
  });

  it("limits: input size, tags, attributes, forms and subresources", () => {
    const big = parseHtml("<p>" + "x".repeat(200), { ...DEFAULT_HTML_LIMITS, maxChars: 100 });
    expect(big.truncated).toBe(true);
    const manyTags = parseHtml("<i>".repeat(50) + "<form></form>", { ...DEFAULT_HTML_LIMITS, maxTags: 20 });
    expect(manyTags.truncated).toBe(true);
    expect(manyTags.forms).toEqual([]);
    const attrs = Array.from({ length: 200 }, (_, i) => `a${i}=1`).join(" ");
    expect(parseHtml(`<form ${attrs} action=/late>`).forms[0]!.action).toBe(""); // past the attribute cap
    expect(parseHtml("<form></form>".repeat(500)).forms).toHaveLength(DEFAULT_HTML_LIMITS.maxForms);
    expect(parseHtml("<img src=/i>".repeat(500)).subresources).toHaveLength(DEFAULT_HTML_LIMITS.maxSubresources);
  });

  it("never throws on arbitrary input (property)", () => {
    const pieces = fc.constantFrom("<", ">", "<form", "<input", "</form>", "<script>", "</script>", "<!--", "-->", "=", '"', "'", "&", "&#", "&#x", ";", " ", "\n", "name=", "value=", "type=hidden", "<noscript>", "<select>", "<option", "<textarea>", ".submit()", "document.forms[", "]", "location=", "<img src=", "<meta http-equiv=refresh content=");
    fc.assert(
      fc.property(fc.array(fc.oneof(pieces, fc.string({ maxLength: 5 })), { maxLength: 80 }), (parts) => {
        const page = parseHtml(parts.join(""));
        expect(Array.isArray(page.forms)).toBe(true);
        autoSubmittingForms(page);
        for (const f of page.forms) formFields(f);
      }),
      { numRuns: 500 },
    );
  });

  it("a 4 MiB page of nested junk parses in bounded time", () => {
    const junk = "<div a=b c='d' e=\"f\">&amp;&#1;<img src=/x>".repeat(100_000);
    const t0 = performance.now();
    const page = parseHtml(junk);
    expect(page.subresources.length).toBe(DEFAULT_HTML_LIMITS.maxSubresources);
    expect(performance.now() - t0).toBeLessThan(5000);
  });
});
