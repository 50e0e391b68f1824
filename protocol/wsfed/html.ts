// What a passive-profile browser needs from an HTML page, read without a DOM: forms (action, method, controls with
// decoded values), img/iframe sources, a meta refresh, a script location redirect, and which forms the page's own
// script submits. Pure and bounded: pages come from targets that may be hostile, so the input is cut at a size
// limit, every list has a cap, and malformed markup (unclosed tags, stray quotes, bare `<`) never throws.

export interface HtmlLimits {
  /** Characters of input read; the rest is ignored (and `truncated` set). */
  maxChars: number;
  maxTags: number;
  maxAttributesPerTag: number;
  maxForms: number;
  maxControlsPerForm: number;
  maxSubresources: number;
}

export const DEFAULT_HTML_LIMITS: HtmlLimits = {
  maxChars: 4 * 1024 * 1024,
  maxTags: 100_000,
  maxAttributesPerTag: 64,
  maxForms: 64,
  maxControlsPerForm: 256,
  maxSubresources: 64,
};

export interface FormControl {
  /** input, button, select or textarea. */
  tag: string;
  /** Lowercased type; inputs default to "text", buttons to "submit". */
  type: string;
  name: string;
  value: string;
  /** Inside a <noscript> element (shown only when scripts do not run). */
  inNoscript: boolean;
  disabled: boolean;
  /** For checkboxes and radios. */
  checked: boolean;
}

export interface HtmlForm {
  index: number;
  id?: string;
  name?: string;
  /** The action attribute as written (decoded), "" when absent: resolve with resolveUrl against the page. */
  action: string;
  method: "GET" | "POST";
  enctype: string;
  controls: FormControl[];
  hasPassword: boolean;
}

export interface HtmlPage {
  forms: HtmlForm[];
  /** img src and iframe src (frame src too), in document order, decoded, unresolved. */
  subresources: { tag: "img" | "iframe"; src: string }[];
  /** <meta http-equiv="refresh" content="N; url=...">: the first one. */
  metaRefresh?: { delaySeconds: number; url: string };
  /** A string-literal location assignment found in an inline script (see scriptLocation). */
  scriptLocation?: string;
  /** Indexes of forms an inline script or <body onload> submits (see autoSubmitFormIndexes). */
  scriptSubmits: number[];
  /** <base href>, when present. */
  baseHref?: string;
  title?: string;
  truncated: boolean;
}

// --- entities --------------------------------------------------------------------------------------------------

// The named references real pages use in attribute values and form text; anything else is left as written.
const NAMED: Record<string, string> = {
  amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0", copy: "\u00a9", reg: "\u00ae",
  trade: "\u2122", hellip: "\u2026", mdash: "\u2014", ndash: "\u2013", lsquo: "\u2018", rsquo: "\u2019",
  ldquo: "\u201c", rdquo: "\u201d", laquo: "\u00ab", raquo: "\u00bb", middot: "\u00b7", euro: "\u20ac",
  sect: "\u00a7", deg: "\u00b0", times: "\u00d7", divide: "\u00f7", bull: "\u2022", iexcl: "\u00a1",
  iquest: "\u00bf", shy: "\u00ad", eacute: "\u00e9", egrave: "\u00e8", agrave: "\u00e0", aacute: "\u00e1",
  ccedil: "\u00e7", ouml: "\u00f6", uuml: "\u00fc", auml: "\u00e4", szlig: "\u00df", Ouml: "\u00d6",
  Uuml: "\u00dc", Auml: "\u00c4", colon: ":", sol: "/", equals: "=", num: "#", lpar: "(", rpar: ")",
  period: ".", comma: ",", semi: ";", excl: "!", quest: "?", Tab: "\t", NewLine: "\n",
};
// Legacy references a browser also decodes without the trailing semicolon (outside attributes' "&name=" case).
const LEGACY = new Set(["amp", "lt", "gt", "quot", "nbsp", "copy", "reg"]);

// HTML maps numeric references 0x80–0x9F to their windows-1252 characters (the spec's replacement table).
const C1: Record<number, number> = {
  0x80: 0x20ac, 0x82: 0x201a, 0x83: 0x0192, 0x84: 0x201e, 0x85: 0x2026, 0x86: 0x2020, 0x87: 0x2021, 0x88: 0x02c6,
  0x89: 0x2030, 0x8a: 0x0160, 0x8b: 0x2039, 0x8c: 0x0152, 0x8e: 0x017d, 0x91: 0x2018, 0x92: 0x2019, 0x93: 0x201c,
  0x94: 0x201d, 0x95: 0x2022, 0x96: 0x2013, 0x97: 0x2014, 0x98: 0x02dc, 0x99: 0x2122, 0x9a: 0x0161, 0x9b: 0x203a,
  0x9c: 0x0153, 0x9e: 0x017e, 0x9f: 0x0178,
};

function codePointText(cp: number): string {
  if (cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return "\ufffd";
  return String.fromCodePoint(C1[cp] ?? cp);
}

/**
 * Decodes character references as a browser does: decimal and hex numeric ones (invalid code points become
 * U+FFFD), the common named ones, and legacy names without a semicolon — except, in attribute values, before `=`
 * or an alphanumeric (so `?a=1&copy=2` stays a query string).
 */
export function decodeEntities(s: string, inAttribute = false): string {
  if (!s.includes("&")) return s;
  return s.replace(/&(#[xX][0-9a-fA-F]+;?|#[0-9]+;?|[A-Za-z][A-Za-z0-9]*;?)/g, (whole, ref: string, offset: number) => {
    if (ref.startsWith("#")) {
      const hex = ref[1] === "x" || ref[1] === "X";
      const digits = ref.slice(hex ? 2 : 1).replace(/;$/, "");
      // Bounded parse: long digit strings are out of range anyway.
      const cp = digits.length > 8 ? 0x110000 : parseInt(digits, hex ? 16 : 10);
      return codePointText(cp);
    }
    const semi = ref.endsWith(";");
    const name = semi ? ref.slice(0, -1) : ref;
    if (semi) return NAMED[name] ?? whole;
    // Without a semicolon: the longest legacy prefix, as browsers do ("&ampx" -> "&x").
    for (let n = Math.min(name.length, 6); n >= 2; n--) {
      const prefix = name.slice(0, n);
      if (!LEGACY.has(prefix)) continue;
      const next = n < name.length ? name[n] : s[offset + whole.length];
      if (inAttribute && next !== undefined && /[=A-Za-z0-9]/.test(next)) return whole;
      return NAMED[prefix]! + name.slice(n);
    }
    return whole;
  });
}

// --- tokenizer -------------------------------------------------------------------------------------------------

export interface Tag {
  name: string;
  attrs: Map<string, string>;
  end: boolean;
}

const RAW_TEXT = new Set(["script", "style", "textarea", "title", "xmp", "noembed", "noframes"]);
const WS = /[\t\n\f\r ]/;

/**
 * Walks the markup and calls onTag for every start and end tag and onText for text (raw-text element contents
 * arrive as one text call). Comments, doctypes and processing instructions are skipped. Returns false when the tag
 * limit stopped it.
 */
export function tokenize(html: string, onTag: (t: Tag) => void, onText: (text: string) => void, limits = DEFAULT_HTML_LIMITS): boolean {
  let i = 0;
  let tags = 0;
  const n = html.length;
  while (i < n) {
    const lt = html.indexOf("<", i);
    if (lt < 0) {
      onText(html.slice(i));
      return true;
    }
    if (lt > i) onText(html.slice(i, lt));
    const c = html[lt + 1];
    if (html.startsWith("<!--", lt)) {
      const close = html.indexOf("-->", lt + 4);
      i = close < 0 ? n : close + 3;
      continue;
    }
    if (c === "!" || c === "?") {
      const close = html.indexOf(">", lt + 2);
      i = close < 0 ? n : close + 1;
      continue;
    }
    const isEnd = c === "/";
    const nameStart = isEnd ? lt + 2 : lt + 1;
    if (!/[A-Za-z]/.test(html[nameStart] ?? "")) {
      // A bare "<" (e.g. "a < b") is text.
      onText("<");
      i = lt + 1;
      continue;
    }
    if (++tags > limits.maxTags) return false;
    let j = nameStart;
    while (j < n && !WS.test(html[j]!) && html[j] !== "/" && html[j] !== ">") j++;
    const name = html.slice(nameStart, j).toLowerCase();
    const attrs = new Map<string, string>();
    // Attributes, per the HTML tokenizer's states, simplified: name[=value], value quoted or bare.
    while (j < n) {
      while (j < n && (WS.test(html[j]!) || html[j] === "/")) j++;
      if (j >= n || html[j] === ">") break;
      let k = j;
      // The first character may be "=" (an attribute name "="), as in the spec.
      k++;
      while (k < n && !WS.test(html[k]!) && html[k] !== "/" && html[k] !== ">" && html[k] !== "=") k++;
      const attrName = html.slice(j, k).toLowerCase();
      j = k;
      while (j < n && WS.test(html[j]!)) j++;
      let value = "";
      if (html[j] === "=") {
        j++;
        while (j < n && WS.test(html[j]!)) j++;
        const q = html[j];
        if (q === '"' || q === "'") {
          const close = html.indexOf(q, j + 1);
          const stop = close < 0 ? n : close;
          value = html.slice(j + 1, stop);
          j = close < 0 ? n : close + 1;
        } else {
          let k2 = j;
          while (k2 < n && !WS.test(html[k2]!) && html[k2] !== ">") k2++;
          value = html.slice(j, k2);
          j = k2;
        }
      }
      // Duplicate attributes: the first wins, as in browsers.
      if (!isEnd && !attrs.has(attrName) && attrs.size < limits.maxAttributesPerTag) attrs.set(attrName, decodeEntities(value, true));
    }
    // End of input inside a tag (an unterminated quote included): browsers drop the tag, and so does this.
    if (j >= n) return true;
    i = j + 1;
    onTag({ name, attrs, end: isEnd });
    if (!isEnd && RAW_TEXT.has(name)) {
      // Raw text runs to the matching end tag (case-insensitive), or to the end of the input.
      const re = new RegExp(`</${name}[\\t\\n\\f\\r />]`, "ig");
      re.lastIndex = i;
      const m = re.exec(html);
      const stop = m ? m.index : n;
      onText(html.slice(i, stop));
      if (!m) return true;
      const close = html.indexOf(">", stop);
      i = close < 0 ? n : close + 1;
      onTag({ name, attrs: new Map(), end: true });
    }
  }
  return true;
}

// --- page extraction -------------------------------------------------------------------------------------------

/** Parses a page. Never throws; limits cut lists and input, `truncated` says so. */
export function parseHtml(input: string, limits: HtmlLimits = DEFAULT_HTML_LIMITS): HtmlPage {
  let truncated = input.length > limits.maxChars;
  const html = truncated ? input.slice(0, limits.maxChars) : input;
  const page: HtmlPage = { forms: [], subresources: [], scriptSubmits: [], truncated };
  const formIds = new Map<string, HtmlForm>();
  // Controls outside their form but naming it with form="id" are attached once the whole page is read.
  const orphans: { formId: string; control: FormControl }[] = [];
  let form: HtmlForm | undefined;
  let noscript = 0;
  let inRaw: string | undefined;
  let rawText = "";
  let rawTag: Tag | undefined;
  let select: { control: FormControl; first?: string; chosen: boolean } | undefined;
  let option: { value?: string; selected: boolean; text: string } | undefined;
  const scripts: string[] = [];

  const addControl = (t: Tag, control: FormControl): void => {
    const owner = t.attrs.get("form");
    if (owner !== undefined && owner !== (form?.id ?? "\u0000")) {
      orphans.push({ formId: owner, control });
      return;
    }
    if (form && form.controls.length < limits.maxControlsPerForm) {
      form.controls.push(control);
      if (control.type === "password") form.hasPassword = true;
    }
  };
  const controlOf = (t: Tag, tag: string, type: string, value: string): FormControl => ({
    tag,
    type,
    name: t.attrs.get("name") ?? "",
    value,
    inNoscript: noscript > 0,
    disabled: t.attrs.has("disabled"),
    checked: t.attrs.has("checked"),
  });
  const endOption = (): void => {
    if (!select || !option) return;
    const value = option.value ?? option.text.replace(/\s+/g, " ").trim();
    if (select.first === undefined) select.first = value;
    if (option.selected && !select.chosen) {
      select.control.value = value;
      select.chosen = true;
    }
    option = undefined;
  };

  const complete = tokenize(
    html,
    (t) => {
      if (inRaw) {
        if (t.end && t.name === inRaw) {
          finishRaw(rawTag!, rawText);
          inRaw = undefined;
          rawText = "";
        }
        return;
      }
      if (RAW_TEXT.has(t.name) && !t.end) {
        inRaw = t.name;
        rawTag = t;
        rawText = "";
        return;
      }
      switch (t.name) {
        case "form":
          if (t.end) {
            form = undefined;
          } else if (!form && page.forms.length < limits.maxForms) {
            // A <form> inside a form is ignored by browsers; so here.
            const method = (t.attrs.get("method") ?? "get").trim().toLowerCase() === "post" ? "POST" : "GET";
            form = {
              index: page.forms.length,
              id: t.attrs.get("id"),
              name: t.attrs.get("name"),
              action: (t.attrs.get("action") ?? "").trim(),
              method,
              enctype: (t.attrs.get("enctype") ?? "application/x-www-form-urlencoded").trim().toLowerCase(),
              controls: [],
              hasPassword: false,
            };
            page.forms.push(form);
            if (form.id !== undefined && !formIds.has(form.id)) formIds.set(form.id, form);
          }
          break;
        case "noscript":
          noscript = Math.max(0, noscript + (t.end ? -1 : 1));
          break;
        case "input":
          if (!t.end) {
            const type = (t.attrs.get("type") ?? "text").trim().toLowerCase() || "text";
            const dflt = type === "checkbox" || type === "radio" ? "on" : "";
            addControl(t, controlOf(t, "input", type, t.attrs.get("value") ?? dflt));
          }
          break;
        case "button":
          if (!t.end) {
            const type = (t.attrs.get("type") ?? "submit").trim().toLowerCase();
            addControl(t, controlOf(t, "button", type === "reset" || type === "button" ? type : "submit", t.attrs.get("value") ?? ""));
          }
          break;
        case "select":
          if (t.end) {
            endOption();
            if (select && !select.chosen) select.control.value = select.first ?? "";
            select = undefined;
          } else {
            const control = controlOf(t, "select", "select", "");
            select = { control, chosen: false };
            addControl(t, control);
          }
          break;
        case "option":
          endOption();
          if (!t.end && select) option = { value: t.attrs.get("value"), selected: t.attrs.has("selected"), text: "" };
          break;
        case "img":
        case "iframe":
        case "frame":
          if (!t.end) {
            const src = t.attrs.get("src")?.trim();
            if (src && page.subresources.length < limits.maxSubresources) page.subresources.push({ tag: t.name === "img" ? "img" : "iframe", src });
          }
          break;
        case "meta":
          if (!t.end && page.metaRefresh === undefined && (t.attrs.get("http-equiv") ?? "").trim().toLowerCase() === "refresh") {
            const r = parseRefresh(t.attrs.get("content") ?? "");
            if (r) page.metaRefresh = r;
          }
          break;
        case "base":
          if (!t.end && page.baseHref === undefined && t.attrs.has("href")) page.baseHref = t.attrs.get("href")!.trim();
          break;
        case "body":
          if (!t.end && t.attrs.has("onload")) scripts.push(t.attrs.get("onload")!);
          break;
      }
    },
    (text) => {
      if (inRaw) rawText += text;
      else if (option) option.text += decodeEntities(text);
    },
    limits,
  );
  if (inRaw && rawTag) finishRaw(rawTag, rawText);
  if (!complete) truncated = true;
  for (const o of orphans) {
    const f = formIds.get(o.formId);
    if (f && f.controls.length < limits.maxControlsPerForm) {
      f.controls.push(o.control);
      if (o.control.type === "password") f.hasPassword = true;
    }
  }
  page.truncated = truncated;
  page.scriptSubmits = autoSubmitFormIndexes(scripts, page.forms);
  page.scriptLocation = scriptLocation(scripts);
  return page;

  function finishRaw(t: Tag, text: string): void {
    if (t.name === "script") {
      // External scripts are not fetched; only inline code counts.
      const type = (t.attrs.get("type") ?? "").trim().toLowerCase();
      const js = type === "" || type.includes("javascript") || type === "module";
      if (js && !t.attrs.has("src") && scripts.length < 256) scripts.push(text);
    } else if (t.name === "textarea") {
      addControl(t, controlOf(t, "textarea", "textarea", decodeEntities(text.replace(/^\r?\n/, ""))));
    } else if (t.name === "title" && page.title === undefined) {
      page.title = decodeEntities(text).replace(/\s+/g, " ").trim();
    }
  }
}

/** The HTML "shared declarative refresh" parse: "N", "N; url=U", "N, U", quotes around U allowed. */
export function parseRefresh(content: string): { delaySeconds: number; url: string } | undefined {
  const m = /^\s*(\d+)(?:\.[\d.]*)?\s*(?:[;,]\s*(?:url\s*=\s*)?(.*))?$/is.exec(content);
  if (!m) return undefined;
  let url = (m[2] ?? "").trim();
  const q = url[0];
  if (q === '"' || q === "'") {
    const end = url.indexOf(q, 1);
    url = end < 0 ? url.slice(1) : url.slice(1, end);
  }
  return { delaySeconds: Math.min(Number(m[1]), 1e9), url };
}

// --- scripts ---------------------------------------------------------------------------------------------------

/** Decodes a JavaScript string literal body (escapes \n, \xHH, \uHHHH, \u{...}, \/ and friends). */
export function decodeJsString(s: string): string {
  return s.replace(/\\(u\{([0-9a-fA-F]{1,6})\}|u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|[\s\S])/g, (_w, all: string, cp?: string, u4?: string, x2?: string) => {
    if (cp) return codePointText(parseInt(cp, 16));
    if (u4) return String.fromCharCode(parseInt(u4, 16));
    if (x2) return String.fromCharCode(parseInt(x2, 16));
    const map: Record<string, string> = { n: "\n", r: "\r", t: "\t", b: "\b", f: "\f", v: "\v", "0": "\0", "\n": "" };
    return map[all] ?? all;
  });
}

const STR = String.raw`(?:"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)')`;

/**
 * A location redirect written the simple ways IdPs write one, with a string literal:
 * `[window.|document.|self.|top.]location[.href] = "U"` and `location.replace("U")` / `location.assign("U")`.
 * Anything computed is not followed (a real browser driver runs it).
 */
export function scriptLocation(scripts: string[]): string | undefined {
  const re = new RegExp(
    String.raw`(?:\b(?:window|document|self|top)\s*\.\s*)?\blocation(?:\s*\.\s*href)?\s*=(?!=)\s*${STR}|\blocation\s*\.\s*(?:replace|assign)\s*\(\s*${STR}\s*\)`,
    "g",
  );
  for (const js of scripts) {
    re.lastIndex = 0;
    const m = re.exec(js.length > 200_000 ? js.slice(0, 200_000) : js);
    if (m) return decodeJsString(m[1] ?? m[2] ?? m[3] ?? m[4] ?? "");
  }
  return undefined;
}

/**
 * Forms a page's own script submits when it loads. The rule (documented in the browser contract too): an inline
 * script or <body onload> calls `.submit()` or `.requestSubmit()` on
 *   `document.forms[N]`, `document.forms["name"]`, `document.forms.name`, `document.getElementById("id")`,
 *   `document.querySelector("form" | "#id" | "form#id" | "form[name=x]")`, `document.getElementsByTagName("form")[N]`,
 *   `document.getElementsByName("x")[0]`, or `document.<name>`;
 * and when the object is something else (a variable), the page's only form counts if it has exactly one.
 */
export function autoSubmitFormIndexes(scripts: string[], forms: HtmlForm[]): number[] {
  const out = new Set<number>();
  const byName = (key: string): HtmlForm | undefined => forms.find((f) => f.name === key) ?? forms.find((f) => f.id === key);
  const byId = (key: string): HtmlForm | undefined => forms.find((f) => f.id === key);
  const patterns: { re: RegExp; pick: (m: RegExpExecArray) => HtmlForm | undefined }[] = [
    { re: /document\s*\.\s*forms\s*\[\s*(\d+)\s*\]/y, pick: (m) => forms[Number(m[1])] },
    { re: new RegExp(String.raw`document\s*\.\s*forms\s*\[\s*${STR}\s*\]`, "y"), pick: (m) => byName(decodeJsString(m[1] ?? m[2] ?? "")) },
    { re: /document\s*\.\s*forms\s*\.\s*([A-Za-z_$][\w$]*)/y, pick: (m) => byName(m[1]!) },
    { re: new RegExp(String.raw`document\s*\.\s*getElementById\s*\(\s*${STR}\s*\)`, "y"), pick: (m) => byId(decodeJsString(m[1] ?? m[2] ?? "")) },
    {
      re: new RegExp(String.raw`document\s*\.\s*getElementsByTagName\s*\(\s*${STR}\s*\)\s*\[\s*(\d+)\s*\]`, "y"),
      pick: (m) => ((m[1] ?? m[2] ?? "").toLowerCase() === "form" ? forms[Number(m[3])] : undefined),
    },
    { re: new RegExp(String.raw`document\s*\.\s*getElementsByName\s*\(\s*${STR}\s*\)\s*\[\s*0\s*\]`, "y"), pick: (m) => forms.find((f) => f.name === decodeJsString(m[1] ?? m[2] ?? "")) },
    { re: new RegExp(String.raw`document\s*\.\s*querySelector\s*\(\s*${STR}\s*\)`, "y"), pick: (m) => bySelector(decodeJsString(m[1] ?? m[2] ?? "").trim()) },
    { re: /document\s*\.\s*([A-Za-z_$][\w$]*)/y, pick: (m) => forms.find((f) => f.name === m[1]) },
  ];
  function bySelector(sel: string): HtmlForm | undefined {
    if (sel === "form") return forms[0];
    let m = /^(?:form)?#([\w-]+)$/.exec(sel);
    if (m) return byId(m[1]!);
    m = /^form\[name\s*=\s*["']?([\w-]+)["']?\]$/.exec(sel);
    if (m) return forms.find((f) => f.name === m![1]);
    return undefined;
  }
  for (const raw of scripts) {
    const js = raw.length > 200_000 ? raw.slice(0, 200_000) : raw;
    const call = /\.\s*(?:submit|requestSubmit)\s*\(/g;
    let m: RegExpExecArray | null;
    let calls = 0;
    while ((m = call.exec(js)) && calls++ < 64) {
      // The receiver: the expression just before ".submit(", found by trying each pattern at every start point in
      // a short window behind the call (anchored with the sticky flag, ending exactly at the dot).
      const end = m.index;
      const from = Math.max(0, end - 160);
      let found: HtmlForm | undefined;
      let matched = false;
      for (let s = from; s < end && !matched; s++) {
        for (const p of patterns) {
          p.re.lastIndex = s;
          const r = p.re.exec(js);
          if (r && s + r[0].length === end) {
            matched = true;
            found = p.pick(r);
            break;
          }
        }
      }
      if (found) out.add(found.index);
      else if (!matched && forms.length === 1) out.add(0);
    }
  }
  return [...out].sort((a, b) => a - b);
}

// --- forms -----------------------------------------------------------------------------------------------------

/**
 * The fields a form submits (the HTML "construct the entry list" essentials): named, enabled controls; checked
 * checkboxes/radios; no file inputs; no buttons, except `submitter` (the button used) when it has a name.
 */
export function formFields(form: HtmlForm, submitter?: FormControl): [string, string][] {
  const out: [string, string][] = [];
  for (const c of form.controls) {
    if (c.disabled || c.name === "") continue;
    if (c.tag === "button" || c.type === "submit" || c.type === "image" || c.type === "reset" || c.type === "button") {
      if (c === submitter && c.type === "submit") out.push([c.name, c.value]);
      continue;
    }
    if ((c.type === "checkbox" || c.type === "radio") && !c.checked) continue;
    if (c.type === "file") continue;
    out.push([c.name, c.value]);
  }
  return out;
}

/**
 * The rule the undici driver uses for "this form submits itself": the page's script submits it
 * (autoSubmitFormIndexes), or — for pages whose script the driver cannot read — the form carries at least one
 * hidden field and nothing a person would fill in: every other control is a submit button inside <noscript> (the
 * shape of a WS-Fed sign-in response or a SAML POST binding page). A login form (password input) never qualifies.
 */
export function autoSubmittingForms(page: HtmlPage): HtmlForm[] {
  const out: HtmlForm[] = [];
  for (const f of page.forms) {
    if (f.hasPassword) continue;
    if (page.scriptSubmits.includes(f.index)) {
      out.push(f);
      continue;
    }
    const hidden = f.controls.filter((c) => c.type === "hidden");
    const rest = f.controls.filter((c) => c.type !== "hidden");
    const noscriptSubmits = rest.filter((c) => c.inNoscript && (c.type === "submit" || c.type === "image"));
    if (hidden.length > 0 && noscriptSubmits.length > 0 && noscriptSubmits.length === rest.length) out.push(f);
  }
  return out;
}

/** The login form: the first form with a password input. */
export function loginForm(page: HtmlPage): HtmlForm | undefined {
  return page.forms.find((f) => f.hasPassword);
}

/**
 * Where the username goes in a login form: the control named in `fieldNames` if present, else the first text or
 * email input (no type means text) before the password input, else the first such input anywhere in the form.
 */
export function usernameControl(form: HtmlForm, fieldName?: string): FormControl | undefined {
  if (fieldName !== undefined) return form.controls.find((c) => c.name === fieldName);
  const isUser = (c: FormControl): boolean => c.tag === "input" && (c.type === "text" || c.type === "email") && !c.disabled;
  const pw = form.controls.findIndex((c) => c.type === "password");
  const before = form.controls.slice(0, pw < 0 ? form.controls.length : pw).filter(isUser);
  return before[before.length - 1] ?? form.controls.find(isUser);
}

/** Resolves a URL written in a page against the page's URL (and <base href>); undefined when unusable. */
export function resolveUrl(ref: string, pageUrl: string, baseHref?: string): URL | undefined {
  try {
    const base = baseHref ? new URL(baseHref, pageUrl) : new URL(pageUrl);
    // Browsers strip leading/trailing C0 controls and spaces, and tabs/newlines anywhere.
    return new URL(ref.replace(/[\t\n\r]/g, "").trim(), base);
  } catch {
    return undefined;
  }
}
