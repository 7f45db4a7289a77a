// A `.fallbackrc.yaml` for a proxy on 127.0.0.1 (port 0), written as JSON (which is YAML), with test-
// friendly defaults: no auto-commit, short timeouts, no notifications unless given.

export type TierSpec = {
  name: string;
  protocol: 'anthropic' | 'openai' | 'gemini';
  base_url: string;
  api_key?: string;
  model?: string;
  models?: Record<string, string>;
  max_output_tokens?: number;
  vendor?: string;
  price?: Record<string, unknown>;
  budget?: Record<string, unknown>;
};

export type ConfigSpec = {
  tiers: TierSpec[];
  fallback?: Record<string, string>;
  git?: { auto_commit?: boolean; tag_prefix?: string; assisted_by?: boolean };
  notify?: Record<string, unknown>;
  proxy?: Record<string, unknown>;
  /** Routing rules (docs/routing.md), as written in the file. */
  routes?: unknown[];
};

export function configYaml(spec: ConfigSpec): string {
  return JSON.stringify({
    proxy: { host: '127.0.0.1', port: 0, ...spec.proxy },
    tiers: spec.tiers,
    fallback: { cooldown: '15m', max_wait: '10s', first_byte_timeout: '5s', holdback: '2s', ...spec.fallback },
    git: { auto_commit: false, tag_prefix: 'model-', ...spec.git },
    notify: { webhooks: [], on_switch: [], ...spec.notify },
    ...(spec.routes ? { routes: spec.routes } : {}),
  });
}
