import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WindowLike } from 'dompurify';
import { JSDOM } from 'jsdom';
import { type SanitizeOptions, sanitizeMailHtml } from './sanitize.ts';

// jsdom is the DOM DOMPurify itself is tested with outside browsers; test/e2e/reader-safety.test.ts
// runs the same sanitiser in Chromium.
const window = new JSDOM('').window;
const win = window as unknown as WindowLike;

const sanitize = (html: string, options: Partial<SanitizeOptions> = {}) =>
  sanitizeMailHtml(html, { allowRemoteImages: false, ...options }, win);

/** Every remote URL in the vectors points at this host, so its absence is easy to check. */
const REMOTE = 'r.example';

/** Elements that must never come out, whatever went in. */
const FORBIDDEN_ELEMENTS = new Set(
  (
    'script iframe frame frameset object embed applet form input button select textarea option meta link ' +
    'base svg math video audio track template noscript xmp plaintext portal fencedframe dialog isindex ' +
    'noembed noframes title canvas'
  )
    .split(' ')
    .map((t) => t.toUpperCase()),
);

function decodeCss(css: string): string {
  return css
    .replace(/\/\*[\s\S]*?(?:\*\/|$)/g, '')
    .replace(/\\([0-9a-f]{1,6})\s?|\\([\s\S])/gi, (_m, hex: string | undefined, c: string | undefined) =>
      hex ? String.fromCodePoint(Number.parseInt(hex, 16)) : (c ?? ''),
    )
    .toLowerCase();
}

/** The output parsed as the reader frame will parse it. */
function parse(html: string): Document {
  return new window.DOMParser().parseFromString(
    `<!doctype html><html><head></head><body>${html}</body></html>`,
    'text/html',
  );
}

/**
 * Checks everything that must hold for any sanitised output: no forbidden element, no event
 * handler, no script URL anywhere, no remote reference unless allowed, links opened safely.
 */
function assertSafe(html: string, allowRemote: boolean, label: string): Document {
  const doc = parse(html);
  assert.doesNotMatch(html, /<script|<iframe|<object|<embed|<form|<meta|<link|<base|<svg|<math/i, label);
  for (const el of Array.from(doc.querySelectorAll('*'))) {
    if (['HTML', 'HEAD', 'BODY'].includes(el.tagName)) continue;
    assert.ok(!FORBIDDEN_ELEMENTS.has(el.tagName), `${label}: <${el.tagName}> survived`);
    for (const attr of Array.from(el.attributes)) {
      const where = `${label}: <${el.tagName} ${attr.name}="${attr.value}">`;
      assert.ok(!attr.name.startsWith('on'), `${where} handler`);
      assert.ok(
        !/^(?:data-|xlink|ping|action|formaction|poster|srcdoc|lowsrc|dynsrc|is$)/.test(attr.name),
        where,
      );
      // eslint-style normalisation a URL parser would do, then the scheme
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the URL parser strips exactly these
      const value = attr.value.replace(/[\u0000-\u0020]/g, '').toLowerCase();
      assert.doesNotMatch(value, /javascript:|vbscript:|livescript:|data:text|expression\(/, where);
      if (attr.name === 'href') {
        assert.match(value, /^(?:https?:|mailto:|tel:|#)/, where);
        if (!value.startsWith('#')) {
          assert.equal(el.getAttribute('target'), '_blank', where);
          assert.equal(el.getAttribute('rel'), 'noopener noreferrer', where);
        }
      }
      if (attr.name === 'src' || attr.name === 'srcset' || attr.name === 'background') {
        for (const part of value.split(/,\s+|\s+/).filter((p) => /^[a-z-]+:|^\/\//.test(p))) {
          assert.match(part, allowRemote ? /^(?:https?:|data:image\/)/ : /^data:image\//, where);
        }
      }
      if (attr.name === 'style') assertSafeCss(attr.value, allowRemote, where);
    }
  }
  for (const style of Array.from(doc.querySelectorAll('style'))) {
    assertSafeCss(style.textContent ?? '', allowRemote, `${label}: <style>`);
  }
  if (!allowRemote) {
    const everything = Array.from(doc.querySelectorAll('*'), (el) =>
      Array.from(el.attributes, (a) => decodeCss(a.value)).join(' '),
    ).join(' ');
    assert.ok(!everything.includes(REMOTE), `${label}: a remote reference survived in ${html}`);
  }
  return doc;
}

function assertSafeCss(css: string, allowRemote: boolean, where: string): void {
  const norm = decodeCss(css);
  assert.doesNotMatch(
    norm,
    /@import|expression\(|javascript:|vbscript:|behavior|-moz-binding|image-set\(/,
    where,
  );
  assert.ok(!norm.includes('</style'), `${where}: style end tag`);
  for (const m of norm.matchAll(/url\(\s*["']?([^"')\s]*)/g)) {
    assert.match(
      m[1]!,
      allowRemote ? /^(?:https?:|data:image\/)/ : /^data:image\//,
      `${where}: url(${m[1]})`,
    );
  }
  if (!allowRemote) assert.ok(!norm.includes(REMOTE), `${where}: remote reference in CSS: ${css}`);
}

/**
 * Attack vectors. Each is sanitised alone, with and without remote images, and the output is
 * checked by assertSafe; `keep` is text that must still be there afterwards.
 */
const VECTORS: Array<{ name: string; html: string; keep?: string }> = [
  // script, handlers
  { name: 'script element', html: '<script>alert(1)</script><p>KEEP</p>', keep: 'KEEP' },
  { name: 'script with src', html: `<SCRIPT SRC=http://${REMOTE}/x.js></SCRIPT>KEEP`, keep: 'KEEP' },
  { name: 'script split by case and spaces', html: '<ScRiPt >alert(1)</sCrIpT >KEEP', keep: 'KEEP' },
  { name: 'img onerror', html: '<img src=x onerror=alert(1)>KEEP', keep: 'KEEP' },
  { name: 'body onload', html: '<body onload=alert(1)><p>KEEP</p></body>', keep: 'KEEP' },
  {
    name: 'details ontoggle',
    html: '<details open ontoggle=alert(1)><summary>KEEP</summary></details>',
    keep: 'KEEP',
  },
  { name: 'marquee onstart', html: '<marquee onstart=alert(1)>KEEP</marquee>', keep: 'KEEP' },
  {
    name: 'handler with odd spacing',
    html: '<img/src="x"/onerror\n=\nalert(1)><b\tonmouseover=alert(1)>KEEP</b>',
    keep: 'KEEP',
  },
  { name: 'input autofocus onfocus', html: '<input autofocus onfocus=alert(1)>KEEP', keep: 'KEEP' },
  {
    name: 'popover and invoker attributes',
    html: '<button popovertarget=x commandfor=y>KEEP</button><div popover id=x>p</div>',
  },
  // SVG and MathML
  { name: 'svg onload', html: '<svg onload=alert(1)><circle r=1 /></svg>KEEP', keep: 'KEEP' },
  { name: 'svg script', html: '<svg><script>alert(1)</script></svg>KEEP', keep: 'KEEP' },
  {
    name: 'svg xlink javascript',
    html: '<svg><a xlink:href="javascript:alert(1)"><text>t</text></a></svg>KEEP',
    keep: 'KEEP',
  },
  {
    name: 'svg animate',
    html: '<svg><animate onbegin=alert(1) attributeName=x dur=1s /></svg>KEEP',
    keep: 'KEEP',
  },
  {
    name: 'svg set href',
    html: '<svg><a><set attributeName="href" to="javascript:alert(1)"/><text>x</text></a></svg>KEEP',
    keep: 'KEEP',
  },
  { name: 'svg image remote', html: `<svg><image href="http://${REMOTE}/svg.gif"/></svg>KEEP`, keep: 'KEEP' },
  {
    name: 'svg foreignObject',
    html: '<svg><foreignObject><img src=x onerror=alert(1)></foreignObject></svg>KEEP',
    keep: 'KEEP',
  },
  {
    name: 'svg style import',
    html: `<svg><style>@import url(http://${REMOTE}/s.css);</style></svg>KEEP`,
    keep: 'KEEP',
  },
  { name: 'math xlink', html: '<math><mi xlink:href="javascript:alert(1)">x</mi></math>KEEP', keep: 'KEEP' },
  {
    name: 'math maction',
    html: '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">m</maction></math>KEEP',
    keep: 'KEEP',
  },
  {
    name: 'mXSS math/table/mglyph/style',
    html: '<p>KEEP</p><math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
    keep: 'KEEP',
  },
  {
    name: 'mXSS form/math',
    html: '<p>KEEP</p><form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>',
    keep: 'KEEP',
  },
  {
    name: 'namespace confusion svg/style',
    html: '<p>KEEP</p><svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
    keep: 'KEEP',
  },
  {
    name: 'noscript breakout',
    html: '<p>KEEP</p><noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    keep: 'KEEP',
  },
  {
    name: 'template content',
    html: '<template><script>alert(1)</script><img src=x onerror=alert(1)></template>KEEP',
    keep: 'KEEP',
  },
  {
    name: 'xmp, noembed, title',
    html: '<xmp><script>alert(1)</script></xmp><noembed><img src=x onerror=alert(1)></noembed><title></title><p>KEEP</p>',
    keep: 'KEEP',
  },
  // javascript: and other schemes
  { name: 'javascript href', html: '<a href="javascript:alert(1)">KEEP</a>', keep: 'KEEP' },
  { name: 'mixed-case scheme', html: '<a href="JaVaScRiPt:alert(1)">KEEP</a>', keep: 'KEEP' },
  { name: 'leading spaces', html: '<a href="   javascript:alert(1)">KEEP</a>', keep: 'KEEP' },
  {
    name: 'tab and newline inside scheme',
    html: '<a href="java&#9;scr&#10;ipt:alert(1)">KEEP</a>',
    keep: 'KEEP',
  },
  {
    name: 'control character before scheme',
    html: '<a href="&#1;javascript:alert(1)">KEEP</a>',
    keep: 'KEEP',
  },
  {
    name: 'decimal entities',
    html: '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">KEEP</a>',
    keep: 'KEEP',
  },
  {
    name: 'hex entities, no semicolons',
    html: '<a href="&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;alert(1)">KEEP</a>',
    keep: 'KEEP',
  },
  { name: 'named colon entity', html: '<a href="javascript&colon;alert(1)">KEEP</a>', keep: 'KEEP' },
  { name: 'vbscript', html: '<a href="vbscript:msgbox(1)">KEEP</a>', keep: 'KEEP' },
  {
    name: 'data: html link',
    html: '<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">KEEP</a>',
    keep: 'KEEP',
  },
  {
    name: 'data: base64 link',
    html: '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">KEEP</a>',
    keep: 'KEEP',
  },
  {
    name: 'file, chrome, extension, blob links',
    html: '<a href="file:///etc/passwd">a</a><a href="chrome://settings">b</a><a href="chrome-extension://abc/options.html">c</a><a href="blob:https://x.example/1">d</a>KEEP',
    keep: 'KEEP',
  },
  {
    name: 'relative links (would resolve to extension pages)',
    html: '<a href="options.html">a</a><a href="/popup.html">b</a><a href="\\\\evil.example/x">c</a>KEEP',
    keep: 'KEEP',
  },
  {
    name: 'area href',
    html: '<map name=m><area href="javascript:alert(1)" shape=rect coords="0,0,1,1"></map><img usemap="#m" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">KEEP',
    keep: 'KEEP',
  },
  {
    name: 'a ping',
    html: `<a href="https://ok.example/" ping="http://${REMOTE}/ping">KEEP</a>`,
    keep: 'KEEP',
  },
  {
    name: 'data attributes',
    html: '<div data-x="javascript:alert(1)" data-src="http://r.example/x.gif">KEEP</div>',
    keep: 'KEEP',
  },
  // DOMPurify removes a customised built-in whole (its `is` cannot be taken back), text included
  { name: 'is attribute', html: '<div is="x-evil" onclick="alert(1)">gone</div>' },
  // embedding and navigation
  { name: 'iframe', html: `<iframe src="http://${REMOTE}/f.html"></iframe>KEEP`, keep: 'KEEP' },
  { name: 'iframe srcdoc', html: '<iframe srcdoc="<script>alert(1)</script>"></iframe>KEEP', keep: 'KEEP' },
  { name: 'frameset', html: `<frameset><frame src="http://${REMOTE}/f.html"></frameset>KEEP` },
  {
    name: 'object, embed, applet',
    html: `<object data="http://${REMOTE}/o.swf"></object><embed src="http://${REMOTE}/e.swf"><applet code="x.class"></applet>KEEP`,
    keep: 'KEEP',
  },
  {
    name: 'portal and fencedframe',
    html: `<portal src="http://${REMOTE}/p"></portal><fencedframe src="http://${REMOTE}/ff"></fencedframe>KEEP`,
    keep: 'KEEP',
  },
  {
    name: 'form',
    html: `<form action="http://${REMOTE}/f"><input name=q value=v><input type=image src="http://${REMOTE}/i.gif"><button formaction="javascript:alert(1)">Go</button><textarea>t</textarea><select><option>o</option></select></form>KEEP`,
    keep: 'KEEP',
  },
  { name: 'isindex', html: '<isindex action=javascript:alert(1) type=image>KEEP', keep: 'KEEP' },
  {
    name: 'meta refresh',
    html: `<meta http-equiv="refresh" content="0;url=http://${REMOTE}/r">KEEP`,
    keep: 'KEEP',
  },
  {
    name: 'meta refresh javascript',
    html: '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">KEEP',
    keep: 'KEEP',
  },
  {
    name: 'meta CSP override',
    html: '<meta http-equiv="Content-Security-Policy" content="default-src *">KEEP',
    keep: 'KEEP',
  },
  { name: 'link stylesheet', html: `<link rel=stylesheet href="http://${REMOTE}/s.css">KEEP`, keep: 'KEEP' },
  {
    name: 'link prefetch, preload, dns-prefetch',
    html: `<link rel=prefetch href="http://${REMOTE}/p"><link rel=preload as=image href="http://${REMOTE}/i"><link rel=dns-prefetch href="//${REMOTE}">KEEP`,
    keep: 'KEEP',
  },
  {
    name: 'base href and target',
    html: `<base href="http://${REMOTE}/"><base target=_top><a href="x">KEEP</a>`,
    keep: 'KEEP',
  },
  // remote images
  { name: 'img http', html: `<img src="http://${REMOTE}/a.gif" alt="A">KEEP`, keep: 'KEEP' },
  {
    name: 'img https, upper case',
    html: `<img src="HTTPS://${REMOTE.toUpperCase()}/b.gif">KEEP`,
    keep: 'KEEP',
  },
  { name: 'img scheme-relative', html: `<img src="//${REMOTE}/c.gif">KEEP`, keep: 'KEEP' },
  {
    name: 'img whitespace before scheme',
    html: `<img src=" &#10;http://${REMOTE}/d.gif">KEEP`,
    keep: 'KEEP',
  },
  {
    name: 'img entity-obfuscated scheme',
    html: `<img src="h&#x74;tp:&#x2F;&#x2F;${REMOTE}/e.gif">KEEP`,
    keep: 'KEEP',
  },
  {
    name: 'img srcset',
    html: `<img srcset="http://${REMOTE}/1x.gif 1x, http://${REMOTE}/2x.gif 2x">KEEP`,
    keep: 'KEEP',
  },
  {
    name: 'img srcset with leading commas',
    html: `<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" srcset=",,http://${REMOTE}/w.gif 1x">KEEP`,
    keep: 'KEEP',
  },
  {
    name: 'picture source srcset',
    html: `<picture><source srcset="http://${REMOTE}/s.gif" media="(min-width: 1px)"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></picture>KEEP`,
    keep: 'KEEP',
  },
  {
    name: 'video poster and source',
    html: `<video poster="http://${REMOTE}/p.gif"><source src="http://${REMOTE}/v.mp4"></video>KEEP`,
    keep: 'KEEP',
  },
  { name: 'audio', html: `<audio src="http://${REMOTE}/a.mp3" autoplay></audio>KEEP`, keep: 'KEEP' },
  {
    name: 'table and cell background',
    html: `<table background="http://${REMOTE}/t.gif"><tr background="http://${REMOTE}/tr.gif"><td background="//${REMOTE}/td.gif">KEEP</td></tr></table>`,
    keep: 'KEEP',
  },
  { name: 'body background', html: `<body background="http://${REMOTE}/b.gif">KEEP</body>`, keep: 'KEEP' },
  {
    name: 'lowsrc and dynsrc',
    html: `<img lowsrc="http://${REMOTE}/l.gif" dynsrc="http://${REMOTE}/d.avi">KEEP`,
    keep: 'KEEP',
  },
  {
    name: 'src on elements that do not take it',
    html: `<div src="http://${REMOTE}/x" background="http://${REMOTE}/y">KEEP</div>`,
    keep: 'KEEP',
  },
  {
    name: 'non-image data: in img',
    html: '<img src="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">KEEP',
    keep: 'KEEP',
  },
  {
    name: 'extension, blob and file images',
    html: '<img src="chrome-extension://abc/icons/16.png"><img src="blob:https://x.example/1"><img src="file:///etc/x.png"><img src="icons/16.png">KEEP',
    keep: 'KEEP',
  },
  // CSS
  { name: 'style url', html: `<div style="background:url(http://${REMOTE}/a.gif)">KEEP</div>`, keep: 'KEEP' },
  {
    name: 'style url quoted, scheme-relative',
    html: `<div style="background-image: url('//${REMOTE}/b.gif'); color: red">KEEP</div>`,
    keep: 'KEEP',
  },
  {
    name: 'style url hex-escaped',
    html: `<div style="background:\\75 rl(http://${REMOTE}/c.gif)">KEEP</div>`,
    keep: 'KEEP',
  },
  {
    name: 'style url letter-escaped',
    html: `<div style="background:u\\rl(http://${REMOTE}/d.gif)">KEEP</div>`,
    keep: 'KEEP',
  },
  {
    name: 'style url with escaped host',
    html: `<div style="background:url(http://\\72 .example/e.gif)">KEEP</div>`,
    keep: 'KEEP',
  },
  {
    name: 'style url entity-quoted',
    html: `<div style="background:url(&quot;http://${REMOTE}/f.gif&quot;)">KEEP</div>`,
    keep: 'KEEP',
  },
  {
    name: 'style URL upper case',
    html: `<div style="BACKGROUND:URL(http://${REMOTE}/g.gif)">KEEP</div>`,
    keep: 'KEEP',
  },
  {
    name: 'style url split by a comment',
    html: `<div style="background:u/**/rl(http://${REMOTE}/h.gif); color:/**/blue">KEEP</div>`,
    keep: 'KEEP',
  },
  {
    name: 'style url with a comment inside',
    html: `<div style="background:url(/*x*/http://${REMOTE}/i.gif)">KEEP</div>`,
    keep: 'KEEP',
  },
  {
    name: 'style url unterminated',
    html: `<div style="background:url(http://${REMOTE}/j.gif">KEEP</div>`,
    keep: 'KEEP',
  },
  {
    name: 'style list-style, cursor, border-image, mask, content',
    html: `<div style="list-style-image:url(http://${REMOTE}/k.gif); cursor:url(http://${REMOTE}/l.cur),auto; border-image:url(http://${REMOTE}/m.gif) 30; mask:url(http://${REMOTE}/n.svg); content:url(http://${REMOTE}/o.gif)">KEEP</div>`,
    keep: 'KEEP',
  },
  {
    name: 'style image-set and cross-fade',
    html: `<div style="background:image-set('http://${REMOTE}/p.gif' 1x); background:-webkit-image-set(url(http://${REMOTE}/q.gif) 1x); background:cross-fade(url(http://${REMOTE}/r.gif), url(http://${REMOTE}/s.gif), 50%)">KEEP</div>`,
    keep: 'KEEP',
  },
  {
    name: 'style custom property carrying a url',
    html: `<div style="--x:url(http://${REMOTE}/t.gif); background:var(--x)">KEEP</div>`,
    keep: 'KEEP',
  },
  {
    name: 'style expression, behavior, binding',
    html: `<div style="width:expression(alert(1)); behavior:url(x.htc); -moz-binding:url(http://${REMOTE}/x.xml#x)">KEEP</div>`,
    keep: 'KEEP',
  },
  {
    name: 'style expression escaped',
    html: '<div style="width:e\\78 pression(alert(1))">KEEP</div>',
    keep: 'KEEP',
  },
  {
    name: 'style javascript url',
    html: '<div style="background:url(javascript:alert(1))">KEEP</div>',
    keep: 'KEEP',
  },
  {
    name: 'style that closes the attribute',
    html: '<div style="color:red&quot; onmouseover=&quot;alert(1)">KEEP</div>',
    keep: 'KEEP',
  },
  {
    name: 'style element import',
    html: `<style>@import url(http://${REMOTE}/a.css); @import 'http://${REMOTE}/b.css'; @\\69mport url(http://${REMOTE}/c.css);</style><p>KEEP</p>`,
    keep: 'KEEP',
  },
  {
    name: 'style element rules',
    html: `<style>.a{background:url(http://${REMOTE}/a.gif)} .b::before{content:url("http://${REMOTE}/b.gif")} *{cursor:url(//${REMOTE}/c.cur),auto}</style><p class=a>KEEP</p>`,
    keep: 'KEEP',
  },
  {
    name: 'style element nested groups',
    html: `<style>@media screen{@supports (display:grid){.a{background:url(http://${REMOTE}/a.gif)}}} .b{ .c{ background:url(http://${REMOTE}/b.gif) } }</style><p>KEEP</p>`,
    keep: 'KEEP',
  },
  {
    name: 'style element font-face',
    html: `<style>@font-face{font-family:x;src:url(http://${REMOTE}/f.woff2) format("woff2")}</style><p>KEEP</p>`,
    keep: 'KEEP',
  },
  {
    name: 'style element namespace and document',
    html: `<style>@namespace url(http://${REMOTE}/ns); @-moz-document url-prefix(){ .a{background:url(http://${REMOTE}/d.gif)} }</style><p>KEEP</p>`,
    keep: 'KEEP',
  },
  {
    name: 'style element stray brace then import',
    html: `<style>a{color:red;}}@import url(http://${REMOTE}/i.css);.x{}</style><p>KEEP</p>`,
    keep: 'KEEP',
  },
  {
    name: 'style element end tag in a comment',
    html: '<style>.x{}/*</style><img src=x onerror=alert(1)>*/</style><p>KEEP</p>',
    keep: 'KEEP',
  },
  {
    name: 'style element end tag in a string',
    html: '<style>.x{content:"</style><img src=x onerror=alert(1)>"}</style><p>KEEP</p>',
    keep: 'KEEP',
  },
  {
    name: 'style element escaped url in string',
    html: `<style>.x{background:url("\\68 ttp://${REMOTE}/z.gif")}</style><p>KEEP</p>`,
    keep: 'KEEP',
  },
  {
    name: 'style element deep nesting',
    html: `<style>${'.a{'.repeat(200)}background:url(http://${REMOTE}/deep.gif)${'}'.repeat(200)}</style><p>KEEP</p>`,
    keep: 'KEEP',
  },
  // DOM clobbering
  {
    name: 'clobbering names and ids',
    html: '<img name=cookie><form name=getElementById></form><a id=location>KEEP</a><img id=body><img name=createElement>',
    keep: 'KEEP',
  },
];

for (const vector of VECTORS) {
  test(`attack vector: ${vector.name}`, () => {
    for (const allowRemote of [false, true]) {
      const { html } = sanitize(vector.html, { allowRemoteImages: allowRemote });
      const doc = assertSafe(
        html,
        allowRemote,
        `${vector.name} (remote ${allowRemote ? 'allowed' : 'blocked'})`,
      );
      if (vector.keep)
        assert.ok(doc.body.textContent?.includes(vector.keep), `${vector.name}: text lost: ${html}`);
    }
  });
}

test('clobbering names are removed (SANITIZE_DOM)', () => {
  const doc = parse(
    sanitize('<img name=cookie><a id=location>x</a><img name=createElement><p id=intro>ok</p>').html,
  );
  assert.equal(doc.querySelector('[name=cookie]'), null);
  assert.equal(doc.querySelector('#location'), null);
  assert.equal(doc.querySelector('[name=createElement]'), null);
  assert.ok(doc.querySelector('#intro'), 'harmless ids stay');
});

test('blockedRemote counts each remote image reference once', () => {
  const html =
    `<style>.x{background:url(http://${REMOTE}/e.gif)} @import url(http://${REMOTE}/i.css);</style>` +
    `<img src="http://${REMOTE}/a.gif"><img srcset="http://${REMOTE}/b.gif 1x, //${REMOTE}/c.gif 2x">` +
    `<div style="background:url(http://${REMOTE}/d.gif)">x</div><table background="https://${REMOTE}/f.gif"><tr><td>y</td></tr></table>` +
    `<a href="https://${REMOTE}/link">links are not images</a><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">`;
  assert.equal(sanitize(html).blockedRemote, 6);
  assert.equal(sanitize(html, { allowRemoteImages: true }).blockedRemote, 0);
  assert.equal(sanitize('<p>no images</p>').blockedRemote, 0);
});

test('allowRemoteImages keeps remote images, scheme-relative ones as https, and still no script', () => {
  const html =
    `<img src="http://${REMOTE}/a.gif" onerror="alert(1)"><img srcset="//${REMOTE}/b.gif 2x">` +
    `<div style="background:url('http://${REMOTE}/c.gif')">x</div><table background="https://${REMOTE}/d.gif"><tr><td>y</td></tr></table>` +
    `<style>.x{background:url(http://${REMOTE}/e.gif)} @import url(http://${REMOTE}/i.css); @font-face{font-family:f;src:url(http://${REMOTE}/f.woff)}</style>`;
  const { html: out } = sanitize(html, { allowRemoteImages: true });
  const doc = assertSafe(out, true, 'remote allowed');
  const imgs = Array.from(doc.querySelectorAll('img'));
  assert.equal(imgs[0]!.getAttribute('src'), `http://${REMOTE}/a.gif`);
  assert.equal(imgs[1]!.getAttribute('srcset'), `https://${REMOTE}/b.gif 2x`);
  assert.equal(doc.querySelector('table')!.getAttribute('background'), `https://${REMOTE}/d.gif`);
  assert.match(
    doc.querySelector('div:not(.biff-mail)')!.getAttribute('style')!,
    /url\('http:\/\/r\.example\/c\.gif'\)/,
  );
  const css = doc.querySelector('style')!.textContent!;
  assert.match(css, /\.x \{ background:url\(http:\/\/r\.example\/e\.gif\); \}/);
  assert.doesNotMatch(css, /import|font-face|f\.woff/, 'stylesheets and fonts never load, images only');
  for (const img of imgs) assert.equal(img.getAttribute('referrerpolicy'), 'no-referrer');
});

test('cid: references become the inline parts’ data: URLs', () => {
  const dot = 'data:image/png;base64,iVBORw0KGgo=';
  const cidUrls = new Map([['dot.png@example.org', dot]]);
  const html =
    '<img src="cid:dot.png@example.org"><img src="cid:%3Cdot.png@example.org%3E"><img src="CID:DOT.PNG@EXAMPLE.ORG">' +
    '<img src="cid:missing@example.org" alt="gone"><img srcset="cid:dot.png@example.org 2x">' +
    '<div style="background:url(cid:dot.png@example.org)">bg</div><table background="cid:dot.png@example.org"><tr><td>t</td></tr></table>' +
    '<a href="cid:dot.png@example.org">not a link</a>';
  const { html: out, blockedRemote } = sanitize(html, { cidUrls });
  assert.equal(blockedRemote, 0);
  const doc = assertSafe(out, false, 'cid');
  const srcs = Array.from(doc.querySelectorAll('img'), (i) => i.getAttribute('src'));
  assert.deepEqual(srcs, [dot, dot, dot, null, null]);
  assert.equal(doc.querySelectorAll('img')[4]!.getAttribute('srcset'), `${dot} 2x`);
  assert.match(
    doc.querySelector('div:not(.biff-mail)')!.getAttribute('style')!,
    /url\("data:image\/png;base64,iVBORw0KGgo="\)/,
  );
  assert.equal(doc.querySelector('table')!.getAttribute('background'), dot);
  assert.equal(doc.querySelector('a')!.hasAttribute('href'), false);
  // a cid target that is not an image data: URL is refused
  const bad = sanitize('<img src="cid:x">', { cidUrls: new Map([['x', 'javascript:alert(1)']]) }).html;
  assert.doesNotMatch(bad, /javascript|src=/);
});

test('links: http(s) open in a new tab without opener or referrer; mailto, tel and fragments stay', () => {
  const doc = parse(
    sanitize(
      '<a href="https://example.org/a?b=1&amp;c=2">w</a><a href="//example.org/x">s</a><a href="mailto:a@example.org?subject=hi">m</a><a href="tel:+15551234">t</a><a href="#part2" target="_top">f</a><a target="_self" href="http://example.org/">h</a>',
    ).html,
  );
  const links = Array.from(doc.querySelectorAll('a'), (a) => [
    a.getAttribute('href'),
    a.getAttribute('target'),
    a.getAttribute('rel'),
  ]);
  assert.deepEqual(links, [
    ['https://example.org/a?b=1&c=2', '_blank', 'noopener noreferrer'],
    ['https://example.org/x', '_blank', 'noopener noreferrer'],
    ['mailto:a@example.org?subject=hi', '_blank', 'noopener noreferrer'],
    ['tel:+15551234', '_blank', 'noopener noreferrer'],
    ['#part2', null, null],
    ['http://example.org/', '_blank', 'noopener noreferrer'],
  ]);
});

test('newsletter shape: head styles kept, body attributes carried by the wrapper, text intact', () => {
  const html =
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>News</title>' +
    '<style type="text/css">body{margin:0} .hero{color:#333;font:16px/1.4 Georgia,serif} @media (max-width:600px){.hero{font-size:14px}}</style></head>' +
    '<body bgcolor="#f4f4f4" style="margin:0" class="mail" onload="track()"><table width="100%" cellpadding="0" align="center"><tr><td class="hero" valign="top">Big <b>news</b> &amp; more</td></tr></table></body></html>';
  const { html: out } = sanitize(html);
  const doc = assertSafe(out, false, 'newsletter');
  const css = doc.querySelector('style')!.textContent!;
  assert.match(css, /body \{ margin:0; \}/);
  assert.match(css, /\.hero \{ color:#333; font:16px\/1\.4 Georgia,serif; \}/);
  assert.match(css, /@media \(max-width:600px\) \{ \.hero \{ font-size:14px; \} \}/);
  const wrapper = doc.querySelector('div.biff-mail')!;
  assert.equal(wrapper.getAttribute('class'), 'biff-mail mail');
  assert.equal(wrapper.getAttribute('style'), 'background-color: #f4f4f4; margin:0;');
  assert.equal(wrapper.textContent, 'Big news & more');
  assert.equal(doc.querySelector('td')!.getAttribute('valign'), 'top');
  assert.equal(doc.title, '', 'the title of the mail does not leak into the frame');
});

test('body background becomes a CSS string on the wrapper, whatever characters the URL holds', () => {
  for (const url of [
    `http://${REMOTE}/%zz/a.gif`,
    'data:image/svg+xml,<svg xmlns="http://www.w3.org/2000/svg"/>',
  ]) {
    const { html } = sanitize(`<body background='${url}'>text</body>`, { allowRemoteImages: true });
    const doc = assertSafe(html, true, url);
    const style = doc.querySelector('div.biff-mail')!.getAttribute('style')!;
    assert.match(style, /^background-image: url\(".*"\)$/, style);
    assert.equal(doc.querySelector('div.biff-mail')!.textContent, 'text');
  }
});

test('data: images are kept, and only images', () => {
  const png = 'data:image/png;base64,iVBORw0KGgo=';
  const svg = 'data:image/svg+xml;base64,PHN2Zy8+';
  const out = sanitize(
    `<img src="${png}"><img src="${svg}"><img src="data:image/svg+xml,%3Csvg/%3E"><img src="data:application/pdf;base64,AAAA">`,
  ).html;
  const srcs = Array.from(parse(out).querySelectorAll('img'), (i) => i.getAttribute('src'));
  assert.deepEqual(srcs, [png, svg, 'data:image/svg+xml,%3Csvg/%3E', null]);
});

test('an inline SVG data: image keeps its spaces in img, srcset and CSS, and stays an image', () => {
  const svg =
    '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8" fill="red"/></svg>';
  const url = `data:image/svg+xml,${svg}`;
  // In CSS, the usual way to write one: single quotes inside the double-quoted url().
  const cssSvg = svg.replaceAll('"', "'");
  const out = sanitize(
    `<img src='${url}'><img srcset='${url.replaceAll(' ', '%20')} 2x'>` +
      `<div style="background-image: url(&quot;data:image/svg+xml,${cssSvg}&quot;)">x</div>`,
  ).html;
  const doc = assertSafe(out, false, 'svg data image');
  const [img, set] = Array.from(doc.querySelectorAll('img'));
  const decoded = (src: string | null | undefined) =>
    decodeURIComponent((src ?? '').slice('data:image/svg+xml,'.length));
  assert.equal(decoded(img?.getAttribute('src')), svg);
  assert.equal(decoded(set?.getAttribute('srcset')?.replace(/ 2x$/, '')), svg);
  const style = doc.querySelector('div[style]')?.getAttribute('style') ?? '';
  assert.match(style, /^background-image: url\("data:image\/svg\+xml,(.*)"\);$/, style);
  assert.equal(decoded(/url\("(.*)"\)/.exec(style)?.[1]), cssSvg);
});

test('empty and text-only input', () => {
  assert.equal(sanitize('').html, '<div class="biff-mail"></div>');
  assert.equal(sanitize('just text & more').html, '<div class="biff-mail">just text &amp; more</div>');
});
