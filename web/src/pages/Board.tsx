/**
 * A project's board: five columns of cards, drag and drop between and within them (mouse,
 * touch and keyboard: focus a card, Space to lift, arrows to move, Space to drop), filters,
 * inline creation, and live updates from the project's change stream.
 */
import { useCallback, useMemo, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { DndContext, KeyboardSensor, PointerSensor, closestCorners, useDroppable, useSensor, useSensors, type DragEndEvent } from '@dnd-kit/core';
import { SortableContext, sortableKeyboardCoordinates, useSortable, verticalListSortingStrategy } from '@dnd-kit/sortable';
import { CSS } from '@dnd-kit/utilities';
import { api } from '../api.ts';
import { useSession } from '../session.tsx';
import { useLiveStream } from '../live.ts';
import { Errors , ErrorPage } from '../components.tsx';
import { columnOf, matches, moveFor, type BoardFilter } from '../board-logic.ts';
import { COLUMNS, type BoardTaskList, type BoardTaskView, type ProjectView } from '../wire.ts';

const COLUMN_ID = 'column:';

function CardView({ card, draggable }: { card: BoardTaskView; draggable: boolean }) {
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, transition, isDragging } = useSortable({ id: card.id, disabled: !draggable });
  const style = { transform: CSS.Transform.toString(transform), transition };
  return (
    <li ref={setNodeRef} style={style} className={`card task-card${isDragging ? ' dragging' : ''}`} data-key={card.key}>
      <div className="row spread">
        <Link to={`/tasks/${card.key}`} className="key">
          {card.key}
        </Link>
        <span className="row">
          <span className={`badge priority-${card.priority}`}>{card.priority}</span>
          {draggable && (
            // The drag handle: mouse, touch, or keyboard (Space to lift, arrows to move, Space to drop).
            <button type="button" ref={setActivatorNodeRef} className="handle" {...attributes} {...listeners}>
              <span aria-hidden="true">⠿</span>
              <span className="visually-hidden">Move {card.key}</span>
            </button>
          )}
        </span>
      </div>
      <p className="title">{card.title}</p>
      <div className="row meta">
        {card.assigned_agent_type !== null && <span className="agent">{card.assigned_agent_type}</span>}
        {card.agent_execution_status !== null && <span className={`badge state-${card.agent_execution_status}`}>{card.agent_execution_status}</span>}
        {card.github_pr_url !== null && (
          <a className="badge pr" href={card.github_pr_url} target="_blank" rel="noreferrer noopener">
            PR #{card.github_pr_number}
          </a>
        )}
      </div>
    </li>
  );
}

function Column({ status, title, cards, draggable, children }: { status: string; title: string; cards: BoardTaskView[]; draggable: boolean; children?: React.ReactNode }) {
  const { setNodeRef, isOver } = useDroppable({ id: `${COLUMN_ID}${status}` });
  return (
    <section className={`column${isOver ? ' over' : ''}`} aria-labelledby={`col-${status}`}>
      <h2 id={`col-${status}`}>
        {title} <span className="count">{cards.length}</span>
      </h2>
      {children}
      <SortableContext items={cards.map((c) => c.id)} strategy={verticalListSortingStrategy}>
        <ul ref={setNodeRef} className="cards" data-status={status}>
          {cards.map((c) => (
            <CardView key={c.id} card={c} draggable={draggable} />
          ))}
          {cards.length === 0 && <li className="empty-col">No cards</li>}
        </ul>
      </SortableContext>
    </section>
  );
}

export function Board() {
  const { key = '' } = useParams();
  const { can } = useSession();
  const queries = useQueryClient();
  const [filter, setFilter] = useState<BoardFilter>({});
  const boardKey = useMemo(() => ['board', key], [key]);
  const project = useQuery({ queryKey: ['project', key], queryFn: () => api<ProjectView>('GET', `/api/projects/${encodeURIComponent(key)}`) });
  const cards = useQuery({ queryKey: boardKey, queryFn: async () => (await api<BoardTaskList>('GET', `/api/tasks?project_id=${encodeURIComponent(key)}&limit=500`)).tasks });
  const refresh = useCallback(() => void queries.invalidateQueries({ queryKey: boardKey }), [queries, boardKey]);
  useLiveStream(project.data === undefined ? undefined : `/api/projects/${encodeURIComponent(key)}/events`, refresh);
  const canWrite = can('project:write');

  const move = useMutation({
    mutationFn: (m: { card: BoardTaskView; status: string; position: number }) => api<BoardTaskView>('PATCH', `/api/tasks/${m.card.key}`, { status: m.status, position: m.position }),
    onMutate: (m) => {
      // Show the move at once; the answer (or the live stream) settles it.
      const before = queries.getQueryData<BoardTaskView[]>(boardKey);
      queries.setQueryData<BoardTaskView[]>(boardKey, (old) => old?.map((c) => (c.id === m.card.id ? { ...c, status: m.status as BoardTaskView['status'], position: m.position } : c)));
      return { before };
    },
    onError: (_err, _m, context) => queries.setQueryData(boardKey, context?.before),
    onSettled: refresh,
  });
  const create = useMutation({
    mutationFn: (title: string) => api<BoardTaskView>('POST', '/api/tasks', { project_id: key, title }),
    onSuccess: refresh,
  });

  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 5 } }), useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }));
  const all = cards.data ?? [];
  const shown = all.filter((c) => matches(c, filter));
  const agents = [...new Set(all.map((c) => c.assigned_agent_type).filter((a): a is string => a !== null))].sort();

  function onDragEnd(e: DragEndEvent) {
    const card = all.find((c) => c.id === e.active.id);
    if (card === undefined || e.over === null) return;
    const overId = e.over.id;
    let status: string;
    let index: number;
    if (typeof overId === 'string' && overId.startsWith(COLUMN_ID)) {
      status = overId.slice(COLUMN_ID.length);
      index = columnOf(all, status, card.id).length;
    } else {
      const over = all.find((c) => c.id === overId);
      if (over === undefined) return;
      status = over.status;
      index = columnOf(all, status).findIndex((c) => c.id === over.id);
      // Into another column: before the card dropped on. Within one: where that card was.
      if (over.status !== card.status) index = columnOf(all, status, card.id).findIndex((c) => c.id === over.id);
    }
    const target = moveFor(all, card.id, status, index);
    if (target !== undefined) move.mutate({ card, ...target });
  }

  function submitNew(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const input = e.currentTarget.elements.namedItem('title') as HTMLInputElement;
    const title = input.value.trim();
    if (title === '') return;
    create.mutate(title, { onSuccess: () => (input.value = '') });
  }

  if (project.error !== null) return <ErrorPage error={project.error} />;
  return (
    <section className="page board-page">
      <div className="page-head">
        <h1>
          {project.data?.name ?? key} <span className="key">{key}</span>
        </h1>
      </div>
      <form className="filters row" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          Search
          <input type="search" value={filter.text ?? ''} onChange={(e) => setFilter({ ...filter, text: e.target.value })} placeholder="Key, title or description" />
        </label>
        <label>
          Priority
          <select value={filter.priority ?? ''} onChange={(e) => setFilter({ ...filter, priority: e.target.value })}>
            <option value="">Any</option>
            {['low', 'medium', 'high', 'critical'].map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </label>
        <label>
          Agent
          <select value={filter.agent ?? ''} onChange={(e) => setFilter({ ...filter, agent: e.target.value })}>
            <option value="">Any</option>
            {agents.map((a) => (
              <option key={a}>{a}</option>
            ))}
          </select>
        </label>
      </form>
      <Errors errors={[cards.error, move.error, create.error]} />
      {cards.isPending && <p role="status">Loading the board…</p>}
      {!canWrite && <p className="hint">You can look at this board; changing it needs project:write.</p>}
      <DndContext sensors={sensors} collisionDetection={closestCorners} onDragEnd={onDragEnd}>
        <div className="columns">
          {COLUMNS.map((c) => (
            <Column key={c.status} status={c.status} title={c.title} cards={columnOf(shown, c.status)} draggable={canWrite}>
              {c.status === 'todo' && canWrite && (
                <form className="new-card" onSubmit={submitNew}>
                  <label className="visually-hidden" htmlFor="new-card-title">
                    New task title
                  </label>
                  <input id="new-card-title" name="title" placeholder="Add a task…" autoComplete="off" />
                  <button type="submit" disabled={create.isPending}>
                    Add
                  </button>
                </form>
              )}
            </Column>
          ))}
        </div>
      </DndContext>
    </section>
  );
}
