import { CHANGE_KINDS, type ChangeKindName } from '../../../changes/change-kinds';
import { isFailedChange, type ChangeView } from '../../../changes/change-view';
import { html, type SafeHtml } from '../html';

// The "What changed" picture: a small SVG drawn on the server (no chart library, no script). One
// lane per kind; each kind has its own shape and colour, so colour is never the only cue. Marks
// are links (focusable, with a visible focus ring from the stylesheet) to the change's page.

const WIDTH = 600;
const LEFT = 12;
const RIGHT = 12;
const LANE = 26;
const TOP = 8;
const AXIS = 28;
const R = 8;

interface KindStyle {
  label: string;
  colour: string;
  /** An SVG shape centred on (0, 0), about 2R across. */
  shape: SafeHtml;
}

const poly = (points: [number, number][]) => html`<polygon points="${points.map(([x, y]) => `${x},${y}`).join(' ')}"/>`;

export const KIND_STYLES: Record<ChangeKindName, KindStyle> = {
  build: { label: 'Build', colour: '#1f6feb', shape: html`<circle r="${R}"/>` },
  release: { label: 'Release', colour: '#1a7f37', shape: html`<rect x="${-R}" y="${-R}" width="${2 * R}" height="${2 * R}"/>` },
  config: { label: 'Config vars', colour: '#8250df', shape: poly([[0, -R - 1], [R + 1, 0], [0, R + 1], [-R - 1, 0]]) },
  scaling: { label: 'Scaling', colour: '#bf8700', shape: poly([[0, -R], [R, R], [-R, R]]) },
  addon: { label: 'Add-on', colour: '#0a7f8c', shape: poly([[-R, -R], [R, -R], [0, R]]) },
  maintenance: { label: 'Maintenance', colour: '#57606a', shape: poly([[-R / 2, -R], [R / 2, -R], [R, 0], [R / 2, R], [-R / 2, R], [-R, 0]]) },
  rename: { label: 'Rename', colour: '#bc4c00', shape: poly([[-3, -R], [3, -R], [3, -3], [R, -3], [R, 3], [3, 3], [3, R], [-3, R], [-3, 3], [-R, 3], [-R, -3], [-3, -3]]) },
  rollback: { label: 'Rollback', colour: '#cf222e', shape: poly([[-R, 0], [R, -R], [R, R]]) },
};

const FAILED_COLOUR = '#cf222e';
const failedCross = html`<path class="failed-cross" d="M${-R - 3},${-R - 3} L${R + 3},${R + 3} M${R + 3},${-R - 3} L${-R - 3},${R + 3}" stroke="${FAILED_COLOUR}" stroke-width="3"/>`;

export const utcTime = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

export interface TimelineOptions {
  changes: ChangeView[];
  from: Date;
  before: Date;
  hrefOf: (c: ChangeView) => string;
}

/** Accessible name of a mark and line of the text list: what, when, failed or not. */
export const changeLabel = (c: ChangeView) => `${KIND_STYLES[c.kind].label}${isFailedChange(c) ? ' (failed)' : ''}: ${c.summary}, ${utcTime(c.occurredAt)}`;

export function changeTimeline(options: TimelineOptions): SafeHtml {
  const { from, before } = options;
  const span = before.getTime() - from.getTime();
  const height = TOP + CHANGE_KINDS.length * LANE + AXIS;
  const xOf = (t: number) => LEFT + ((t - from.getTime()) / span) * (WIDTH - LEFT - RIGHT);
  const lanes = CHANGE_KINDS.map((kind, i) => html`<line class="lane" x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${TOP + i * LANE + LANE / 2}" y2="${TOP + i * LANE + LANE / 2}"/>`);
  const axisY = TOP + CHANGE_KINDS.length * LANE + 4;
  const ticks = [0, 0.5, 1].map((f) => {
    const t = from.getTime() + f * span;
    const anchor = f === 0 ? 'start' : f === 1 ? 'end' : 'middle';
    return html`<line class="tick" x1="${xOf(t)}" x2="${xOf(t)}" y1="${axisY}" y2="${axisY + 5}"/><text class="tick-label" x="${xOf(t)}" y="${axisY + 18}" text-anchor="${anchor}">${f === 1 ? `${utcTime(new Date(t).toISOString())} (instant)` : utcTime(new Date(t).toISOString())}</text>`;
  });
  // Oldest first in the document, so Tab walks the picture left to right.
  const marks = [...options.changes].reverse().map((c) => {
    const style = KIND_STYLES[c.kind];
    const failed = isFailedChange(c);
    const x = xOf(new Date(c.occurredAt).getTime());
    const y = TOP + CHANGE_KINDS.indexOf(c.kind) * LANE + LANE / 2;
    return html`<a class="mark mark-${c.kind}${failed ? ' mark-failed' : ''}" href="${options.hrefOf(c)}" aria-label="${changeLabel(c)}" data-kind="${c.kind}"${failed ? html` data-failed="true"` : ''}><title>${changeLabel(c)}</title><g transform="translate(${x.toFixed(1)} ${y})" fill="${style.colour}" class="shape">${style.shape}${failed ? failedCross : ''}</g></a>`;
  });
  return html`<figure class="change-timeline">
<svg viewBox="0 0 ${WIDTH} ${height}" width="100%" role="group" aria-label="Changes from ${utcTime(from.toISOString())} to ${utcTime(before.toISOString())}, one lane per kind">
<line class="axis" x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${axisY}" y2="${axisY}"/>${ticks}${lanes}${marks}
</svg>
<figcaption>${legend()}</figcaption>
</figure>`;
}

function legend(): SafeHtml {
  const item = (label: string, colour: string, shape: SafeHtml, extra: SafeHtml | '' = '', kind = '') =>
    html`<li${kind ? html` data-kind="${kind}"` : ''}><svg viewBox="-13 -13 26 26" width="18" height="18" aria-hidden="true" focusable="false"><g fill="${colour}">${shape}${extra}</g></svg> ${label}</li>`;
  return html`<ul class="legend" aria-label="Legend">${CHANGE_KINDS.map((k) => item(KIND_STYLES[k].label, KIND_STYLES[k].colour, KIND_STYLES[k].shape, '', k))}${item('Failed', '#ffffff', html`<circle r="${R}" stroke="#57606a"/>`, failedCross, 'failed')}</ul>`;
}
