import { html, type SafeHtml } from '../html';

/** The `<html>` frame every console page shares: no inline script or style (see security-headers.ts). */
export function htmlDocument(options: { title: string; head?: SafeHtml; bodyAttributes?: SafeHtml; body: SafeHtml }): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>${options.title} · dynopulse</title>
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/console.css">
${options.head}
</head>
<body${options.bodyAttributes}>
${options.body}
</body>
</html>
`.value;
}
