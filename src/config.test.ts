import { describe, expect, it } from 'vitest';
import { normalizeGoFlags, parseConfig } from './config.js';

describe('operator configuration', () => {
  it('has Flagger\'s defaults when no flag is given', () => {
    const config = parseConfig([], {});
    expect(config).toMatchObject({
      meshProvider: 'istio', metricsServer: 'http://prometheus:9090', selectorLabels: ['app', 'name', 'app.kubernetes.io/name'],
      includeLabelPrefix: [], ingressAnnotationsPrefix: 'nginx.ingress.kubernetes.io', enableConfigTracking: true,
      enableLeaderElection: false, leaderElectionNamespace: 'kube-system', port: 8080, noCrossNamespaceRefs: false,
      slack: { user: 'flagger' },
    });
  });

  it('leaves the web view off unless --web-port is given, and binds it to loopback by default', () => {
    const off = parseConfig([], {});
    expect(off.webPort).toBeUndefined();
    expect(off.webAddress).toBe('127.0.0.1');
    expect(parseConfig(['--web-port=9898', '--web-address=0.0.0.0'], {})).toMatchObject({ webPort: 9898, webAddress: '0.0.0.0' });
    expect(parseConfig(['-web-port=0'], {}).webPort).toBe(0);
  });

  it.each([
    ['Go single-dash flags with values', ['-mesh-provider=nginx', '-port=9090'], { meshProvider: 'nginx', port: 9090 }],
    ['a bare boolean flag', ['--enable-leader-election'], { enableLeaderElection: true }],
    ['a boolean flag set to false', ['-enable-config-tracking=false'], { enableConfigTracking: false }],
    ['the cross-namespace switch', ['-no-cross-namespace-refs=true'], { noCrossNamespaceRefs: true }],
    ['the cross-namespace switch alone', ['--no-cross-namespace-refs'], { noCrossNamespaceRefs: true }],
    ['comma lists', ['--selector-labels=app.kubernetes.io/name, app', '--include-label-prefix=app.kubernetes.io,team'],
      { selectorLabels: ['app.kubernetes.io/name', 'app'], includeLabelPrefix: ['app.kubernetes.io', 'team'] }],
    ['a namespace, which also moves the leader election lease', ['--namespace', 'apps'], { namespace: 'apps', leaderElectionNamespace: 'apps' }],
    ['Flagger\'s `warning` log level', ['-log-level=warning'], { logLevel: 'warn' }],
  ])('parses %s', (_name, argv, expected) => {
    expect(parseConfig(argv, {})).toMatchObject(expected);
  });

  it('lets the environment override notifier flags, as Flagger does', () => {
    const config = parseConfig(['--slack-url=https://flag.example', '--event-webhook=https://flag.example/e'], {
      SLACK_URL: 'https://env.example', EVENT_WEBHOOK_URL: 'https://env.example/e', MSTEAMS_URL: 'https://teams.example',
    });
    expect(config.slack.url).toBe('https://env.example');
    expect(config.eventWebhook).toBe('https://env.example/e');
    expect(config.msteams.url).toBe('https://teams.example');
  });

  it.each([
    [['--metrics-server=not a url'], '--metrics-server'],
    [['--port=99999'], '--port'],
    [['--web-port=http'], '--web-port'],
    [['--log-level=loud'], '--log-level'],
    [['--max-concurrent-analyses=0'], '--max-concurrent-analyses'],
    [['--mesh-provider=istoi'], '--mesh-provider'],
  ])('rejects %j naming the flag', (argv, flag) => {
    expect(() => parseConfig(argv, {})).toThrow(flag);
  });

  it('rejects unknown flags', () => {
    expect(() => parseConfig(['--mesh-providr=istio'], {})).toThrow(/unknown option/);
  });

  it('leaves positional values and double-dash flags alone when normalizing', () => {
    expect(normalizeGoFlags(['-port=1', '--port=2', 'value', '-x'])).toEqual(['--port=1', '--port=2', 'value', '-x']);
  });
});
