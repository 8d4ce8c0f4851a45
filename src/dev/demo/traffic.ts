import { Agent, request } from 'node:http';

/** Steady client traffic to a Service through the data plane's forward proxy. */
export interface Traffic {
  stop(): void;
}

/**
 * Sends `perSecond` GET requests a second to `target` (e.g. `http://podinfo.demo:9898/`) through the forward
 * proxy at `proxyUrl`, as users of the app would; outcomes are counted by the data plane, not here.
 */
export function startTraffic(opts: { proxyUrl: string; target: string; perSecond: number }): Traffic {
  const proxy = new URL(opts.proxyUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const send = (): void => {
    const req = request({ host: proxy.hostname, port: proxy.port, path: opts.target, agent, timeout: 5000 }, (res) => res.resume());
    req.on('timeout', () => req.destroy());
    req.on('error', () => undefined);
    req.end();
  };
  const timer = setInterval(send, 1000 / opts.perSecond);
  return {
    stop() {
      clearInterval(timer);
      agent.destroy();
    },
  };
}
