/** The slice of `path` a mail parser dependency uses for attachment file names. */
export function basename(p: string, ext?: string): string {
  const base =
    p
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .pop() ?? '';
  return ext && base.endsWith(ext) ? base.slice(0, -ext.length) : base;
}

export function extname(p: string): string {
  const base = basename(p);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot) : '';
}

export function parse(p: string) {
  const base = basename(p);
  const ext = extname(p);
  const dir = p.slice(0, Math.max(0, p.length - base.length)).replace(/[\\/]+$/, '');
  return {
    root: p.startsWith('/') ? '/' : '',
    dir,
    base,
    ext,
    name: ext ? base.slice(0, -ext.length) : base,
  };
}

export default { basename, extname, parse };
