/**
 * The soak's oracle: from what was delivered, what the faults were, what the server holds at
 * the end and what Biff stored, announced and shows, it decides per message whether Biff got it
 * right, and sums it up as the report's table. Pure, so its rules are tested on their own
 * (oracle.test.ts) and the soak run only gathers facts.
 */

/** Where a message was delivered. */
export type Mailbox = 'INBOX' | 'Work' | 'POP3';

/** What the soak injects. */
export type FaultKind =
  | 'reset'
  | 'blackhole'
  | 'relay-kill'
  | 'dovecot-restart'
  | 'worker-stop'
  | 'mark-read'
  | 'delete'
  | 'move'
  | 'uidvalidity';

/** One fault as it happened: `end` is when its effect was over (the same as `start` for a blow). */
export interface FaultRecord {
  kind: FaultKind;
  start: number;
  end: number;
  detail?: string;
}

/** One delivered message. */
export interface Delivery {
  subject: string;
  mailbox: Mailbox;
  deliveredAt: number;
  /**
   * What another client did to it: marked read (a notification is then optional), moved or
   * renumbered by a UIDVALIDITY change (a new identity on the server: announcing it again is
   * allowed), deleted. `after-uidvalidity`: it reached a folder shortly after that folder's
   * UIDVALIDITY changed, so Biff's next look at the folder may be its rebuild, which announces
   * the unread mail it did not know before (imap-sync.test.ts, "UIDVALIDITY change"): it still
   * needs exactly one notification.
   */
  touched: Array<'read' | 'moved' | 'renumbered' | 'deleted' | 'after-uidvalidity'>;
}

/** A message of a watched IMAP folder as the server lists it at the end. */
export interface ServerMessage {
  subject: string;
  folder: 'INBOX' | 'Work';
  seen: boolean;
}

/** A row of Biff's store at the end. */
export interface StoredRow {
  subject: string;
  protocol: 'imap' | 'pop3';
  folder: string;
  seen: boolean;
  deletedLocally: boolean;
}

/** Everything the oracle judges. */
export interface SoakFacts {
  startedAt: number;
  endedAt: number;
  deliveries: Delivery[];
  faults: FaultRecord[];
  /** When each subject was first seen in the store (polled during the run). */
  firstSeen: Record<string, number>;
  server: ServerMessage[];
  /** Messages still in the POP3 maildrop (leave-a-copy is off: it must be empty). */
  pop3Maildrop: number;
  stored: StoredRow[];
  /** Subjects of every new-mail announcement (one entry per message per announcement). */
  announced: string[];
  /** The ids of every notification Biff created. */
  notificationIds: string[];
  badge: string;
  /**
   * The toolbar button's tooltip: a line per account with its exact count ("Soak IMAP: 105
   * unread, ..."), where the badge shows "99+" above 99.
   */
  badgeTitle: string;
  /** Announcements after the final reconnect, for mail already announced before it. */
  announcedAfterReconnect: string[];
}

/** How late is late. */
export interface OracleLimits {
  /** The bound on noticing a dead connection plus one check interval, after it could have arrived. */
  lateAfterMs: number;
  /** The bound on noticing a dead connection: a fault starting within it after a message could have arrived holds it up too (`expectedFrom`). */
  faultWindowMs: number;
}

/** One message the oracle found wrong, and how. */
export interface Problem {
  subject: string;
  problem:
    | 'missing'
    | 'duplicated'
    | 'stored but gone on the server'
    | 'not announced'
    | 'announced twice'
    | 'announced again after a reconnect'
    | 'late'
    | 'left in the POP3 maildrop';
  detail?: string;
}

/** The soak's result: the table's figures and every problem behind them. */
export interface SoakReport {
  minutes: number;
  faults: Partial<Record<FaultKind, number>>;
  messages: number;
  byMailbox: Record<Mailbox, number>;
  delayMs: { p50: number | null; p95: number | null; max: number | null };
  missing: number;
  duplicated: number;
  late: number;
  /** Stored while the server no longer has them (deleted or moved away elsewhere). */
  stale: number;
  notAnnounced: number;
  announcedTwice: number;
  notificationIdsReused: number;
  badge: { shown: string; expected: string };
  /** The unread count: the sum of the tooltip's per-account counts (null when it has none), and the server's. */
  unread: { shown: number | null; expected: number };
  pop3Maildrop: number;
  problems: Problem[];
  /** True when nothing at all is wrong. */
  ok: boolean;
}

/** The unread count the tooltip gives: its per-account counts summed ("Name: 12 unread, ..."), or null. */
export function tooltipUnread(title: string): number | null {
  const counts = [...title.matchAll(/: (\d+) unread\b/g)].map((m) => Number(m[1]));
  return counts.length === 0 ? null : counts.reduce((a, b) => a + b, 0);
}

/** What the badge shows for `n` unread (badge.ts: nothing at 0, `99+` above 99). */
export function badgeText(n: number): string {
  if (n <= 0) return '';
  return n > 99 ? '99+' : String(n);
}

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * The faults that cut Biff off from the server: each stops push and checks until it is over
 * (and the connections are made again). The other client's changes do not: mail still gets
 * through while another client marks, deletes, moves or renumbers.
 */
const CUTTING: ReadonlySet<FaultKind> = new Set([
  'reset',
  'blackhole',
  'relay-kill',
  'dovecot-restart',
  'worker-stop',
]);

/**
 * When a message could first be expected. From its delivery, or the end of a fault in force
 * then (mail cannot arrive through a relay that is down; overlapping faults one after the
 * other), it is promised within the bound on noticing a dead connection; a fault that cuts
 * Biff off and starts while that promise is still running (within `windowMs` of that moment)
 * cuts the way the message would arrive by, so it could be expected from that fault's end,
 * the latest such end when several do. One step only: the faults starting within the bound
 * after *that* end do not move it again. Followed on and on, faults every few seconds (as the
 * soak injects them) made one chain of the whole run, which would excuse any delay (a 10-minute
 * run measured from its last fault's end for every message). A fault that starts once the
 * bound has passed excuses nothing: by then the message should have been there.
 */
export function expectedFrom(delivery: Delivery, faults: FaultRecord[], windowMs: number): number {
  let from = delivery.deliveredAt;
  for (let grew = true; grew; ) {
    grew = false;
    for (const f of faults)
      if (f.start <= from && f.end > from) {
        from = f.end;
        grew = true;
      }
  }
  let until = from;
  for (const f of faults)
    if (CUTTING.has(f.kind) && f.start > from && f.start < from + windowMs) until = Math.max(until, f.end);
  return until;
}

/** Judges the facts; see the file comment. */
export function judge(facts: SoakFacts, limits: OracleLimits): SoakReport {
  const problems: Problem[] = [];
  const count = (list: string[]) => {
    const map = new Map<string, number>();
    for (const s of list) map.set(s, (map.get(s) ?? 0) + 1);
    return map;
  };
  const announced = count(facts.announced);
  const onServer = new Map(facts.server.map((m) => [m.subject, m]));
  const live = facts.stored.filter((r) => !r.deletedLocally);
  const delays: number[] = [];
  let missing = 0;
  let duplicated = 0;
  let stale = 0;
  let late = 0;
  let notAnnounced = 0;
  let announcedTwice = 0;

  for (const d of facts.deliveries) {
    const rows = live.filter((r) => r.subject === d.subject);
    if (d.mailbox === 'POP3') {
      if (rows.length === 0) {
        missing++;
        problems.push({ subject: d.subject, problem: 'missing' });
      } else if (rows.length > 1) {
        duplicated++;
        problems.push({ subject: d.subject, problem: 'duplicated', detail: `${rows.length} rows` });
      }
    } else {
      const server = onServer.get(d.subject);
      const here = server ? rows.filter((r) => r.protocol === 'imap' && r.folder === server.folder) : [];
      const elsewhere = rows.filter((r) => !here.includes(r));
      if (server && here.length === 0) {
        missing++;
        problems.push({
          subject: d.subject,
          problem: 'missing',
          detail: `on the server in ${server.folder}`,
        });
      }
      if (here.length > 1) {
        duplicated++;
        problems.push({ subject: d.subject, problem: 'duplicated', detail: `${here.length} rows` });
      }
      if (elsewhere.length > 0) {
        stale++;
        problems.push({
          subject: d.subject,
          problem: 'stored but gone on the server',
          detail: `${elsewhere.map((r) => r.folder).join(', ')}; server: ${server?.folder ?? 'gone'}`,
        });
      }
    }

    const seen = facts.firstSeen[d.subject];
    if (seen !== undefined) {
      delays.push(Math.max(0, seen - d.deliveredAt));
      const from = expectedFrom(d, facts.faults, limits.faultWindowMs);
      if (seen - from > limits.lateAfterMs) {
        late++;
        const held =
          from > d.deliveredAt
            ? `, faults until ${((from - d.deliveredAt) / 1000).toFixed(1)} s after delivery`
            : '';
        problems.push({
          subject: d.subject,
          problem: 'late',
          detail: `${((seen - from) / 1000).toFixed(1)} s after it could have arrived${held}`,
        });
      }
    }

    // Exactly one announcement per new message. Mail another client read before Biff saw it
    // is not new any more; moved or renumbered mail is a new message on the server (a new UID
    // or UIDVALIDITY), so its second announcement is allowed.
    const times = announced.get(d.subject) ?? 0;
    const renamed = d.touched.includes('moved') || d.touched.includes('renumbered');
    const optional = d.touched.some((t) => t !== 'after-uidvalidity');
    if (times === 0 && !optional && seen !== undefined) {
      notAnnounced++;
      problems.push({ subject: d.subject, problem: 'not announced' });
    }
    if (times > (renamed ? 2 : 1)) {
      announcedTwice++;
      problems.push({ subject: d.subject, problem: 'announced twice', detail: `${times} times` });
    }
  }
  for (const subject of facts.announcedAfterReconnect) {
    problems.push({ subject, problem: 'announced again after a reconnect' });
    announcedTwice++;
  }
  if (facts.pop3Maildrop > 0) {
    problems.push({
      subject: '(maildrop)',
      problem: 'left in the POP3 maildrop',
      detail: `${facts.pop3Maildrop} messages`,
    });
  }

  const unseen = facts.server.filter((m) => !m.seen).length;
  const pop3Unread = facts.stored.filter((r) => r.protocol === 'pop3' && !r.seen && !r.deletedLocally).length;
  const expectedUnread = unseen + pop3Unread;
  const expectedBadge = badgeText(expectedUnread);
  const shownUnread = tooltipUnread(facts.badgeTitle);
  const ids = facts.notificationIds;
  const reused = ids.length - new Set(ids).size;
  const faults: Partial<Record<FaultKind, number>> = {};
  for (const f of facts.faults) faults[f.kind] = (faults[f.kind] ?? 0) + 1;
  const byMailbox: Record<Mailbox, number> = { INBOX: 0, Work: 0, POP3: 0 };
  for (const d of facts.deliveries) byMailbox[d.mailbox]++;
  delays.sort((a, b) => a - b);
  const badgeOk = facts.badge === expectedBadge && shownUnread === expectedUnread;
  return {
    minutes: (facts.endedAt - facts.startedAt) / 60_000,
    faults,
    messages: facts.deliveries.length,
    byMailbox,
    delayMs: { p50: percentile(delays, 50), p95: percentile(delays, 95), max: delays.at(-1) ?? null },
    missing,
    duplicated,
    late,
    stale,
    notAnnounced,
    announcedTwice,
    notificationIdsReused: reused,
    badge: { shown: facts.badge, expected: expectedBadge },
    unread: { shown: shownUnread, expected: expectedUnread },
    pop3Maildrop: facts.pop3Maildrop,
    problems,
    ok: problems.length === 0 && reused === 0 && badgeOk,
  };
}

/** The report as the table the soak prints. */
export function formatReport(report: SoakReport): string {
  const s = (ms: number | null) => (ms === null ? '-' : `${(ms / 1000).toFixed(1)} s`);
  const faults = Object.entries(report.faults)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ');
  const lines = [
    ['duration', `${report.minutes.toFixed(1)} min`],
    ['faults', faults || 'none'],
    [
      'messages',
      `${report.messages} (INBOX ${report.byMailbox.INBOX}, Work ${report.byMailbox.Work}, POP3 ${report.byMailbox.POP3})`,
    ],
    [
      'delay p50 / p95 / max',
      `${s(report.delayMs.p50)} / ${s(report.delayMs.p95)} / ${s(report.delayMs.max)}`,
    ],
    ['missing', String(report.missing)],
    ['duplicated', String(report.duplicated)],
    ['late', String(report.late)],
    ['stored but gone on the server', String(report.stale)],
    ['not announced / announced twice', `${report.notAnnounced} / ${report.announcedTwice}`],
    ['notification ids reused', String(report.notificationIdsReused)],
    ['badge shown / expected', `"${report.badge.shown}" / "${report.badge.expected}"`],
    ['unread in the tooltip / expected', `${report.unread.shown ?? '-'} / ${report.unread.expected}`],
    ['POP3 maildrop left', String(report.pop3Maildrop)],
    ['verdict', report.ok ? 'PASS' : `FAIL (${report.problems.length} problems)`],
  ];
  const width = Math.max(...lines.map(([k]) => k!.length));
  const table = lines.map(([k, v]) => `${k!.padEnd(width)}  ${v}`).join('\n');
  const problems = report.problems.map(
    (p) => `  ${p.problem}: ${p.subject}${p.detail ? ` (${p.detail})` : ''}`,
  );
  return problems.length > 0 ? `${table}\n${problems.join('\n')}` : table;
}
