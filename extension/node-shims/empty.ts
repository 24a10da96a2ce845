/** Stands in for Node modules that have no meaning in a browser (net, tls, dns, fs, os). */
const empty: Record<string, never> = {};
export default empty;
