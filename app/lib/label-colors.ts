// Label colours: the #rrggbb an admin picks, and the chip text (black or white) with the higher WCAG contrast on
// it. Either black or white always reaches at least 4.58:1 on any colour, so every chip passes AA for its text.
import { z } from 'zod';

/** A few starting colours for the settings form (any #rrggbb is allowed). */
export const LABEL_PALETTE = ['#1d4ed8', '#15803d', '#b91c1c', '#7e22ce', '#c2410c', '#0e7490', '#fde047', '#f9a8d4'] as const;

export const labelSchema = z.object({
  name: z.string().trim().min(1, 'Give the label a name.').max(40, 'Label names are at most 40 characters.'),
  color: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^#[0-9a-f]{6}$/, 'Pick a colour as #rrggbb.'),
});

function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** WCAG contrast ratio of two #rrggbb colours. */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** The chip's text colour on a label colour: whichever of black and white contrasts more. */
export function chipTextColor(background: string): '#000000' | '#ffffff' {
  return contrastRatio(background, '#000000') >= contrastRatio(background, '#ffffff') ? '#000000' : '#ffffff';
}
