/**
 * A lean keep-alive HTTP client for request-rate figures. fetch() (undici) costs Node more CPU per request
 * than node:http, and on a 2-core machine the load generator shares the CPU with workerd: the cheaper the
 * client, the more of the machine measures the server. One socket per concurrent client, reused.
 */
import http from "node:http";

export function client(base, { sockets }) {
  const { hostname, port } = new URL(base);
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  return {
    /** Resolves with status, headers and the body as a Buffer once the response has been read. */
    request(method, path, headers = {}) {
      return new Promise((resolve, reject) => {
        const req = http.request({ agent, hostname, port, method, path, headers }, (res) => {
          const chunks = [];
          res.on("data", (c) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on("error", reject);
        });
        req.on("error", reject);
        req.end();
      });
    },
    close: () => agent.destroy(),
  };
}
