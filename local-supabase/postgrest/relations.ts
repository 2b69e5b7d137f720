// Resolves an embedded resource to one relationship: many-to-one, one-to-many, one-to-one, many-to-many through
// a junction table, and self-references, with the disambiguation rules PostgREST applies (reference §4.3).
import { RestError } from './errors.ts';
import type { ForeignKey, SchemaCache, Table } from './schema.ts';

/** How an embedded table joins its parent: directly (child cols = parent cols) or through a junction. */
export interface Join {
  parentCols: string[];
  childCols: string[];
  via?: { junction: Table; toParent: ForeignKey; toChild: ForeignKey };
}

interface Candidate {
  fk: ForeignKey;
  target: Table;
  card: 'many-to-one' | 'one-to-many' | 'one-to-one' | 'many-to-many';
  self: boolean;
  /** For many-to-many: the junction's FK to the target. */
  toChild?: ForeignKey;
  junction?: Table;
}

const singleCol = (fk: ForeignKey, col: string) => fk.columns.length === 1 && fk.columns[0] === col;

function candidates(cache: SchemaCache, parent: Table): Candidate[] {
  const out: Candidate[] = [];
  const isParent = (schema: string, name: string) => schema === parent.schema && name === parent.name;
  for (const fk of cache.fks) {
    const self = fk.schema === fk.refSchema && fk.table === fk.refTable;
    if (isParent(fk.schema, fk.table)) {
      const target = cache.tables.get(cache.key(fk.refSchema, fk.refTable));
      if (target) out.push({ fk, target, card: 'many-to-one', self });
    }
    if (isParent(fk.refSchema, fk.refTable)) {
      const target = cache.tables.get(cache.key(fk.schema, fk.table));
      if (!target) continue;
      const unique = target.uniques.some((u) => u.length === fk.columns.length && u.every((c) => fk.columns.includes(c)));
      out.push({ fk, target, card: unique ? 'one-to-one' : 'one-to-many', self });
      // A junction: another FK of the same table, both FKs' columns inside its primary key.
      for (const other of cache.fks) {
        if (other === fk || other.schema !== fk.schema || other.table !== fk.table) continue;
        const pk = new Set(target.pk);
        if (![...fk.columns, ...other.columns].every((c) => pk.has(c))) continue;
        const far = cache.tables.get(cache.key(other.refSchema, other.refTable));
        if (far && !isParent(other.refSchema, other.refTable)) out.push({ fk, target: far, card: 'many-to-many', self: false, toChild: other, junction: target });
      }
    }
  }
  return out;
}

/** PostgREST's matching: target = table, constraint or FK column; hint = constraint, column or junction. */
function matches(c: Candidate, name: string, hint: string | undefined): boolean {
  if (c.self) {
    // One FK, two relationships: the table name means the children, the FK column means the parent.
    if (!hint) return (c.card === 'one-to-many' && c.target.name === name) || (c.card === 'many-to-one' && singleCol(c.fk, name));
    return c.card === 'one-to-many' && c.target.name === name && singleCol(c.fk, hint);
  }
  if (c.card === 'many-to-many') return c.target.name === name && (!hint || hint === c.junction!.name);
  // A constraint name or FK column names the embed only when the target is a table (PostgREST issue 2277).
  if (!hint) return c.target.name === name || (!c.target.isView && (c.fk.name === name || singleCol(c.fk, name)));
  const refSingle = c.fk.refColumns.length === 1 && c.fk.refColumns[0] === hint;
  return c.target.name === name && (c.fk.name === hint || singleCol(c.fk, hint) || refSingle);
}

/** Resolves `name` (a table, FK name or FK column), with an optional `!hint`, embedded under `parent`. */
export async function resolveEmbed(cache: SchemaCache, parent: Table, name: string, hints: string[]): Promise<{ target: Table; join: Join; many: boolean }> {
  await cache.ensure();
  const found = candidates(cache, parent).filter((c) => matches(c, name, hints[0]));
  if (found.length === 0) {
    throw new RestError(
      400,
      'PGRST200',
      `Could not find a relationship between '${parent.name}' and '${name}' in the schema cache`,
      `Searched for a foreign key relationship between '${parent.name}' and '${name}'${hints.length ? ` using the hint '${hints.join('!')}'` : ''} in the schema '${parent.schema}', but no matches were found.`,
      null,
      {},
      true,
    );
  }
  if (found.length > 1) {
    throw new RestError(
      300,
      'PGRST201',
      `Could not embed because more than one relationship was found for '${parent.name}' and '${name}'`,
      found.map((m) => ({
        cardinality: m.card,
        embedding: `${parent.name} with ${m.target.name}`,
        relationship: m.junction
          ? `${m.junction.name} using ${m.fk.name}(${m.fk.columns.join(', ')}) and ${m.toChild!.name}(${m.toChild!.columns.join(', ')})`
          : `${m.fk.name} using ${parent.name}(${joinOf(m).parentCols.join(', ')}) and ${m.target.name}(${joinOf(m).childCols.join(', ')})`,
      })),
      `Try changing '${name}' to one of the following: ${found.map((m) => `'${m.target.name}!${m.junction ? m.junction.name : m.fk.name}'`).join(', ')}. Find the desired relationship in the 'details' key.`,
    );
  }
  const m = found[0]!;
  return { target: m.target, join: joinOf(m), many: m.card === 'many-to-many' || m.card === 'one-to-many' };
}

/** The join columns, parent side first (for many-to-one the FK's own columns are on the parent). */
function joinOf(m: Candidate): Join {
  if (m.card === 'many-to-many') return { parentCols: [], childCols: [], via: { junction: m.junction!, toParent: m.fk, toChild: m.toChild! } };
  if (m.card === 'many-to-one') return { parentCols: m.fk.columns, childCols: m.fk.refColumns };
  return { parentCols: m.fk.refColumns, childCols: m.fk.columns };
}

const q = (id: string) => `"${id.replace(/"/g, '""')}"`;

/** The conditions joining an embedded table (`child` alias) to its parent row. */
export function joinConds(join: Join, child: string, parent: string): string[] {
  if (!join.via) return join.childCols.map((c, i) => `${child}.${q(c)} = ${parent}.${q(join.parentCols[i]!)}`);
  const { junction, toParent, toChild } = join.via;
  const j = `${child}_j`;
  const conds = [
    ...toChild.columns.map((c, i) => `${j}.${q(c)} = ${child}.${q(toChild.refColumns[i]!)}`),
    ...toParent.columns.map((c, i) => `${j}.${q(c)} = ${parent}.${q(toParent.refColumns[i]!)}`),
  ];
  return [`exists (select 1 from ${q(junction.schema)}.${q(junction.name)} ${j} where ${conds.join(' and ')})`];
}
