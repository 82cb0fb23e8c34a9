/** Me, continued: my linked Telegram accounts (unlink) and a one-time code to link one. */
import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api.ts';
import { Errors } from '../components.tsx';
import type { LinkCodeView, TelegramLinkView } from '../wire.ts';

export function MyTelegram() {
  const queries = useQueryClient();
  const [code, setCode] = useState<LinkCodeView | null>(null);
  const links = useQuery({ queryKey: ['telegram-links'], queryFn: async () => (await api<{ links: TelegramLinkView[] }>('GET', '/api/telegram/links')).links });
  const make = useMutation({ mutationFn: () => api<LinkCodeView>('POST', '/api/telegram/link-codes', {}), onSuccess: setCode });
  const unlink = useMutation({
    mutationFn: (id: string) => api('DELETE', `/api/telegram/links/${id}`),
    onSuccess: () => queries.invalidateQueries({ queryKey: ['telegram-links'] }),
  });

  return (
    <>
      <h2>Telegram</h2>
      <Errors errors={[links.error, make.error, unlink.error]} />
      <p className="hint">A linked Telegram account uses the bot as you: your roles and permissions apply, and its actions are audited.</p>
      <button type="button" onClick={() => make.mutate()} disabled={make.isPending}>
        Make a link code
      </button>
      {code !== null && (
        <div className="card stack" role="status">
          <p>
            Send <code className="secret">/link {code.code}</code> to the bot in a private chat before {new Date(code.expires_at).toLocaleTimeString()}. The code works once.
          </p>
          <button type="button" onClick={() => setCode(null)}>
            Done
          </button>
        </div>
      )}
      {links.data?.length === 0 && <p className="empty">No Telegram account is linked.</p>}
      <ul className="sessions">
        {links.data?.map((l) => (
          <li key={l.telegram_user_id} className="row">
            <strong>{l.telegram_username !== null ? `@${l.telegram_username}` : l.telegram_user_id}</strong> linked {new Date(l.linked_at).toLocaleDateString()}
            <button type="button" onClick={() => unlink.mutate(l.telegram_user_id)} disabled={unlink.isPending}>
              Unlink
            </button>
          </li>
        ))}
      </ul>
    </>
  );
}
