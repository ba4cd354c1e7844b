// The zero-configuration translator: no model, the text comes back unchanged. Used when no translation
// backend is configured and whenever source and target languages are the same.
import type { TranslationEngine } from '../types.ts';

export class PassthroughTranslation implements TranslationEngine {
  readonly id = 'passthrough';

  async translate(text: string, _sourceLanguage?: string, _targetLanguage?: string): Promise<string> {
    return text;
  }
}
