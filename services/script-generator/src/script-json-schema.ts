/**
 * The JSON schema the chat model must answer with. OpenAI's strict structured outputs require every
 * property to be listed in `required` and every object to set `additionalProperties: false`; length
 * limits are stated in descriptions and enforced after parsing, since not every compatible server
 * accepts keywords such as maxLength.
 */
export const SCRIPT_JSON_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['titleIdea', 'hook', 'sections', 'callToAction'],
  properties: {
    titleIdea: { type: 'string', description: 'A catchy video title, at most 70 characters.' },
    hook: { type: 'string', description: 'The opening line or two: a question or a surprising promise.' },
    sections: {
      type: 'array',
      description: 'The body of the script, 3 to 7 sections in speaking order.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['heading', 'narration', 'visualKeywords'],
        properties: {
          heading: { type: 'string', description: 'A chapter title, at most 40 characters.' },
          narration: { type: 'string', description: 'What the narrator says, in plain sentences.' },
          visualKeywords: {
            type: 'array',
            description: '2 to 4 concrete nouns to search stock footage with.',
            items: { type: 'string' },
          },
        },
      },
    },
    callToAction: { type: 'string', description: 'The closing line asking viewers to subscribe or comment.' },
  },
} as const;

/** Where a schema breaks OpenAI's strict-mode rules, as JSON paths; empty when it complies. */
export function strictSchemaViolations(schema: unknown, path = '$'): string[] {
  if (typeof schema !== 'object' || schema === null) return [];
  const s = schema as { type?: unknown; properties?: Record<string, unknown>; required?: unknown; additionalProperties?: unknown; items?: unknown };
  const out: string[] = [];
  if (s.type === undefined) out.push(`${path}: has no type`);
  if (s.type === 'object') {
    if (s.additionalProperties !== false) out.push(`${path}: additionalProperties must be false`);
    const keys = Object.keys(s.properties ?? {});
    const required = Array.isArray(s.required) ? (s.required as unknown[]) : [];
    for (const k of keys) if (!required.includes(k)) out.push(`${path}.${k}: must be listed in required`);
    for (const r of required) if (!keys.includes(String(r))) out.push(`${path}: requires "${String(r)}", which is not a property`);
    for (const [k, v] of Object.entries(s.properties ?? {})) out.push(...strictSchemaViolations(v, `${path}.${k}`));
  }
  if (s.type === 'array') {
    if (s.items === undefined) out.push(`${path}: array has no items schema`);
    else out.push(...strictSchemaViolations(s.items, `${path}[]`));
  }
  return out;
}
