// Images and documents a tier cannot read become a readable placeholder, in the user's own content
// and inside tool results alike (Claude Code's Read tool puts an image file in a tool_result), so the
// model learns something was there and the vendor never sees a type it refuses (Gemini answers 400
// "Unsupported MIME type: image/gif": https://ai.google.dev/gemini-api/docs/image-understanding#supported-formats).

import type { ContentBlockParam, DocumentBlockParam, ImageBlockParam, MessageParam, MessagesRequest } from '../wire/types.ts';
import type { Capabilities } from './tier-capabilities.ts';

export type MediaFit = {
  /** The same object when nothing had to change. */
  request: MessagesRequest;
  /** One line per replaced block, for --verbose. */
  warnings: string[];
};

type Caps = Pick<Capabilities, 'family' | 'imageTypes' | 'documentTypes'>;

export function fitMedia(req: MessagesRequest, caps: Caps): MediaFit {
  const warnings: string[] = [];
  let changed = false;
  const messages = req.messages.map((m): MessageParam => {
    if (typeof m.content === 'string') return m;
    const content = fitBlocks(m.content, caps, warnings, 'message');
    if (content === m.content) return m;
    changed = true;
    return { ...m, content };
  });
  return { request: changed ? { ...req, messages } : req, warnings };
}

function fitBlocks(blocks: ContentBlockParam[], caps: Caps, warnings: string[], where: 'message' | 'tool_result'): ContentBlockParam[] {
  let out: ContentBlockParam[] | null = null;
  blocks.forEach((b, i) => {
    const fitted = fitBlock(b, caps, warnings, where);
    if (fitted === b) return;
    out ??= blocks.slice();
    out[i] = fitted;
  });
  return out ?? blocks;
}

function fitBlock(b: ContentBlockParam, caps: Caps, warnings: string[], where: 'message' | 'tool_result'): ContentBlockParam {
  switch (b.type) {
    case 'image':
      return acceptsImage(b, caps) ? b : imagePlaceholder(b, caps, warnings, where);
    case 'document':
      return acceptsDocument(b, caps) ? b : documentPlaceholder(b, caps, warnings, where);
    case 'tool_result': {
      if (!Array.isArray(b.content)) return b;
      const content = fitBlocks(b.content, caps, warnings, 'tool_result');
      return content === b.content ? b : { ...b, content };
    }
    default:
      return b;
  }
}

function acceptsImage(b: ImageBlockParam, caps: Caps): boolean {
  if (caps.imageTypes.length === 0) return false;
  // A URL or file image has no declared type: left to the converter, which knows what it can attach.
  return b.source.type !== 'base64' || caps.imageTypes.includes(b.source.media_type.toLowerCase());
}

function acceptsDocument(b: DocumentBlockParam, caps: Caps): boolean {
  // Text documents are inlined by every converter; URL and file sources are the converters' to handle.
  return b.source.type !== 'base64' || caps.documentTypes.includes(b.source.media_type.toLowerCase());
}

function size(data: string): string {
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  const bytes = Math.floor((data.length * 3) / 4) - padding;
  return bytes >= 1024 ? `${Math.round(bytes / 1024)} KB` : `${bytes} bytes`;
}

function imagePlaceholder(b: ImageBlockParam, caps: Caps, warnings: string[], where: string): ContentBlockParam {
  const type = b.source.type === 'base64' ? b.source.media_type : 'image';
  const what = b.source.type === 'base64' ? `${type} image, ${size(b.source.data)}` : `image by ${b.source.type}`;
  const reads = caps.imageTypes.join(', ');
  warnings.push(
    `${type} in a ${where === 'tool_result' ? 'tool result' : 'message'} replaced by a placeholder: ${caps.family} ${reads ? `reads ${reads}` : 'has no vision'}`,
  );
  return { type: 'text', text: `[${what} not shown: ${reads ? `this model reads only ${reads}` : 'this model cannot read images'}]` };
}

function documentPlaceholder(b: DocumentBlockParam, caps: Caps, warnings: string[], where: string): ContentBlockParam {
  const type = b.source.type === 'base64' ? b.source.media_type : 'document';
  const title = b.title ? ` "${b.title}"` : '';
  const why =
    caps.documentTypes.length === 0
      ? 'this model cannot read documents'
      : `this model reads only ${caps.documentTypes.join(', ')} documents`;
  warnings.push(
    `${type} document${title} in a ${where === 'tool_result' ? 'tool result' : 'message'} replaced by a placeholder: ${caps.family} cannot read it`,
  );
  return {
    type: 'text',
    text: `[Document${title} (${type}${b.source.type === 'base64' ? `, ${size(b.source.data)}` : ''}) not shown: ${why}]`,
  };
}
