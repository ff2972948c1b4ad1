// table_image.js: a table as drawn (the cohort heatmap) as an SVG document, for the PNG and SVG exports a
// chart has: each cell's box, background and text as laid out on the page. Text is escaped, so a cell
// never becomes markup.
import { escapeXml as escape } from './export.js';

const visible = (color) => color && color !== 'transparent' && !/rgba\(.*,\s*0\)$/.test(color);
// color-mix() computes to color(srgb r g b), which not every SVG viewer reads: written as rgb().
const rgb = (color) => color.replace(/color\(srgb ([\d.]+) ([\d.]+) ([\d.]+)\)/, (_, ...c) => `rgb(${c.slice(0, 3).map((v) => Math.round(v * 255)).join(', ')})`);

/** {svg, width, height} of `table` on a `background` colour. */
export function tableSvg(table, background) {
  const box = table.getBoundingClientRect();
  const width = Math.ceil(box.width);
  const height = Math.ceil(box.height);
  const style = getComputedStyle(table);
  const parts = [];
  for (const cell of table.querySelectorAll('th, td')) {
    const r = cell.getBoundingClientRect();
    const css = getComputedStyle(cell);
    const x = (r.left - box.left).toFixed(1);
    const y = (r.top - box.top).toFixed(1);
    if (visible(css.backgroundColor)) {
      parts.push(`<rect x="${x}" y="${y}" width="${r.width.toFixed(1)}" height="${r.height.toFixed(1)}" fill="${escape(rgb(css.backgroundColor))}"/>`);
    }
    const right = css.textAlign === 'right' || css.textAlign === 'end';
    const pad = parseFloat(css.paddingLeft) || 4;
    const tx = right ? r.right - box.left - pad : r.left - box.left + pad;
    parts.push(`<text x="${tx.toFixed(1)}" y="${(r.top - box.top + r.height / 2).toFixed(1)}" dominant-baseline="middle"` +
      `${right ? ' text-anchor="end"' : ''} fill="${escape(css.color)}" font-weight="${escape(css.fontWeight)}">${escape(cell.textContent)}</text>`);
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `font-family="${escape(style.fontFamily)}" font-size="${escape(style.fontSize)}">` +
    `<rect width="100%" height="100%" fill="${escape(background)}"/>${parts.join('')}</svg>`;
  return { svg, width, height };
}
