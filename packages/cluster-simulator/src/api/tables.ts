/*
 * `meta.k8s.io/v1` Table rendering: what `kubectl get` prints. Columns follow
 * the upstream printers for the kinds this product shows; CRDs use their
 * `additionalPrinterColumns`; anything else gets Name and Age.
 */
import type { KubeObject } from '../controllers/types';
import { BUILTIN_PRINTERS } from './builtinPrinters';
import { evalJsonPath } from './jsonPath';
import type { PrinterColumn, ResourceType } from './resources';
import { Printer, age, col, nameCol, since } from './tableCells';

/** The metadata-only form of an object, as Table rows and metadata-only responses carry it. */
export function partialObjectMetadata(o: KubeObject): Record<string, unknown> {
  return {
    kind: 'PartialObjectMetadata',
    apiVersion: 'meta.k8s.io/v1',
    metadata: o.metadata,
  };
}

function crdPrinter(columns: PrinterColumn[] | undefined): Printer {
  const cols = columns?.length
    ? columns
    : [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }];
  return {
    columns: [
      nameCol,
      ...cols.map(c =>
        col(
          c.name,
          c.type === 'date' ? 'string' : c.type,
          c.priority ?? 0,
          c.format ?? '',
        ),
      ),
    ],
    cells: (o, now) => [
      o.metadata.name,
      ...cols.map(c => {
        const v = evalJsonPath(o, c.jsonPath);
        if (v === undefined || v === null) return null;
        if (c.type === 'date') return since(String(v), now);
        if (typeof v === 'object') return JSON.stringify(v);
        if (c.type === 'integer' || c.type === 'number') return Number(v);
        if (c.type === 'boolean') return Boolean(v);
        return String(v);
      }),
    ],
  };
}

const GENERIC: Printer = {
  columns: [nameCol, col('Age')],
  cells: (o, now) => [o.metadata.name, age(o, now)],
};

function printerFor(t: ResourceType): Printer {
  if (!t.builtin) return crdPrinter(t.printerColumns);
  return BUILTIN_PRINTERS[`${t.group}/${t.kind}`] ?? GENERIC;
}

/** How much of each object a Table row carries (`includeObject`). */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** Renders objects as a Table; `withColumns` false drops the definitions (later watch events). */
export function renderTable(
  t: ResourceType,
  objects: KubeObject[],
  opts: {
    now: number;
    includeObject?: IncludeObject;
    resourceVersion?: string;
    continueToken?: string;
    withColumns?: boolean;
    tableVersion?: string;
  },
): Record<string, unknown> {
  const printer = printerFor(t);
  const include = opts.includeObject ?? 'Metadata';
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${opts.tableVersion ?? 'v1'}`,
    metadata: {
      resourceVersion: opts.resourceVersion,
      ...(opts.continueToken ? { continue: opts.continueToken } : {}),
    },
    ...(opts.withColumns === false
      ? {}
      : { columnDefinitions: printer.columns }),
    rows: objects.map(o => ({
      cells: printer.cells(o, opts.now),
      ...(include === 'None'
        ? {}
        : {
            object: include === 'Object' ? o : partialObjectMetadata(o),
          }),
    })),
  };
}
