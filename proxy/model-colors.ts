// The one definition of the models' colours: the dashboard's page gets them as CSS variables (--m0…, from
// cssVariables, served in front of app.css) and the terminal views (blame) as ANSI colours. Okabe–Ito palette
// (distinguishable with the common colour-vision deficiencies), a lighter shade of each for dark backgrounds. A
// model's slot is its place in the config's tier order, then the order models are first seen, modulo the palette.

export const MODEL_COLORS: readonly { light: string; dark: string }[] = [
  { light: '#0072b2', dark: '#56a8e0' },
  { light: '#e69f00', dark: '#f0b429' },
  { light: '#009e73', dark: '#2ec4a0' },
  { light: '#cc79a7', dark: '#e0a0c8' },
  { light: '#56b4e9', dark: '#8fd0f5' },
  { light: '#d55e00', dark: '#ff8a4c' },
  { light: '#8c7a00', dark: '#d8c84a' },
  { light: '#555555', dark: '#a0a0a0' },
];

/** Slots for models: `order` (the config's tiers) first, then each new name as it is asked for, as the page does. */
export function modelSlots(order: readonly string[] = []): (model: string) => number {
  const slots = new Map<string, number>();
  const slot = (m: string) => {
    if (!slots.has(m)) slots.set(m, slots.size % MODEL_COLORS.length);
    return slots.get(m)!;
  };
  for (const m of order) slot(m);
  return slot;
}

/** The CSS custom properties the dashboard's stylesheet uses: --m0… light, and dark under prefers-color-scheme. */
export function cssVariables(): string {
  const vars = (shade: 'light' | 'dark') => MODEL_COLORS.map((c, i) => `--m${i}: ${c[shade]};`).join(' ');
  return (
    `/* model colours: proxy/model-colors.ts */\n:root { --model-count: ${MODEL_COLORS.length}; ${vars('light')} }\n` +
    `@media (prefers-color-scheme: dark) { :root { ${vars('dark')} } }\n`
  );
}
