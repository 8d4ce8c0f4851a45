/**
 * Google Chat notifier: a card with a "Flagger" header, the text, and one section per field.
 *
 * Example payload: `{"cards":[{"header":{"title":"Flagger","subtitle":"podinfo.test",
 * "imageUrl":"https://flagger.app/favicon.png"},"sections":[{"widgets":[{"textParagraph":
 * {"text":"<font color=#848484><strong>…</strong></font>"}}]}, …]}]}`.
 */
import type { HttpPost } from '../webhooks/http-port.js';
import { canaryLabel, postNotification, type AlertMessage, type Notifier, type NotifierSettings } from './notifier.js';

/** One card section holding one text paragraph. */
export interface GChatSection {
  widgets: { textParagraph: { text: string } }[];
}

/** A Google Chat card message. */
export interface GChatPayload {
  cards: { header: { title: string; subtitle: string; imageUrl: string }; sections: GChatSection[] }[];
}

const grey = (text: string): string => `<font color=#848484><strong>${text}</strong></font>`;
const paragraph = (text: string): GChatSection => ({ widgets: [{ textParagraph: { text } }] });

/**
 * Google Chat renders a small HTML subset in text paragraphs; `<`, `>` and `&` from a message or field are
 * escaped so they show as typed. parity: Flagger pkg/notifier/gchat.go inserts them raw.
 */
function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The card of an alert: header `Flagger` / `<name>.<namespace>`, a first section with the text in bold grey,
 * then `<title><br><bold grey value>` per field. parity: Flagger pkg/notifier/gchat.go Post.
 */
export function gchatPayload(message: AlertMessage): GChatPayload {
  return {
    cards: [{
      header: { title: 'Flagger', subtitle: canaryLabel(message), imageUrl: 'https://flagger.app/favicon.png' },
      sections: [
        paragraph(grey(escapeHtml(message.text))),
        ...message.fields.map((f) => paragraph(`${escapeHtml(f.title)}<br>${grey(escapeHtml(f.value))}`)),
      ],
    }],
  };
}

/** A notifier posting {@link gchatPayload}s to a Google Chat incoming webhook. */
export function gchatNotifier(http: HttpPost, settings: NotifierSettings): Notifier {
  return { post: (message) => postNotification(http, settings, gchatPayload(message)) };
}
