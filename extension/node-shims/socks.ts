/** imapflow's proxy support imports `socks`; a relay-carried connection never uses a proxy. */
export const SocksClient = {
  createConnection(): never {
    throw new Error('Proxies are not available in the extension');
  },
};
export default { SocksClient };
