/*
 * The index APIs of an emulated Elasticsearch node: settings (write
 * blocks), documents, open and close, and statistics.
 */
import {
  Handled,
  RestRequest,
  acknowledged,
  esError,
  flatten,
  indexNotFound,
} from './restTypes';
import { newIndex } from './state';

export function indexSettings(req: RestRequest, index: string): Handled {
  const ix = req.state.indices[index];
  if (!ix) return indexNotFound(index);
  if (req.method === 'GET') {
    return {
      status: 200,
      body: {
        [index]: {
          settings: {
            index: {
              ...(ix.writeBlock && { blocks: { write: 'true' } }),
              ...(ix.follow && { xpack: { ccr: { following_index: 'true' } } }),
              number_of_shards: '1',
              number_of_replicas: '1',
              provided_name: index,
              creation_date: String(ix.creationDate),
              uuid: ix.uuid,
              version: { created: '8521000' },
            },
          },
        },
      },
    };
  }
  const flat = flatten(req.body ?? {});
  for (const [key, value] of Object.entries(flat)) {
    const name = key.replace(/^settings\./, '').replace(/^index\./, '');
    if (name === 'blocks.write')
      ix.writeBlock = value === true || value === 'true';
    else if (!['number_of_replicas', 'refresh_interval'].includes(name)) {
      return esError(
        400,
        'illegal_argument_exception',
        `unknown setting [index.${name}] please check that any required plugins are installed, or check the breaking changes documentation for removed settings`,
      );
    }
  }
  return acknowledged();
}

export function indexDocument(req: RestRequest, name: string): Handled {
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(name)) {
    return esError(
      400,
      'invalid_index_name_exception',
      `Invalid index name [${name}], must be lowercase`,
      { index: name },
    );
  }
  let ix = req.state.indices[name];
  if (!ix) {
    // action.auto_create_index: a write creates the index.
    ix = req.state.indices[name] = newIndex(
      `${req.state.clusterUuid}/${name}/${req.now}`,
      req.now,
    );
  }
  if (!ix.open) {
    return esError(400, 'index_closed_exception', 'closed', {
      index_uuid: ix.uuid,
      index: name,
    });
  }
  if (ix.writeBlock) {
    return esError(
      403,
      'cluster_block_exception',
      `index [${name}] blocked by: [FORBIDDEN/8/index write (api)];`,
    );
  }
  if (ix.follow) {
    return esError(
      403,
      'status_exception',
      'a following engine does not accept operations without an assigned sequence number',
    );
  }
  ix.maxSeqNo += 1;
  return {
    status: 201,
    changed: true,
    body: {
      _index: name,
      _id: `sim-${ix.uuid.slice(0, 8)}-${ix.maxSeqNo}`,
      _version: 1,
      result: 'created',
      _shards: { total: 2, successful: 2, failed: 0 },
      _seq_no: ix.maxSeqNo,
      _primary_term: 1,
    },
  };
}

export function openClose(
  req: RestRequest,
  name: string,
  open: boolean,
): Handled {
  const ix = req.state.indices[name];
  if (!ix) return indexNotFound(name);
  ix.open = open;
  return acknowledged(
    open
      ? { shards_acknowledged: true }
      : { shards_acknowledged: true, indices: { [name]: { closed: true } } },
  );
}

/** `GET [/<index>]/_stats?level=shards`: each index's sequence numbers. */
export function stats(req: RestRequest, index?: string): Handled {
  if (index && !req.state.indices[index]) return indexNotFound(index);
  const names = index ? [index] : Object.keys(req.state.indices);
  const indices: Record<string, unknown> = {};
  for (const name of names) {
    const ix = req.state.indices[name];
    if (!ix.open) continue;
    const seqNo = {
      max_seq_no: ix.maxSeqNo,
      local_checkpoint: ix.maxSeqNo,
      global_checkpoint: ix.maxSeqNo,
    };
    indices[name] = {
      uuid: ix.uuid,
      health: 'green',
      status: 'open',
      primaries: { docs: { count: ix.maxSeqNo + 1, deleted: 0 } },
      ...(req.query.get('level') === 'shards' && {
        shards: {
          '0': [
            {
              routing: {
                state: 'STARTED',
                primary: true,
                node: req.host.nodeName,
              },
              docs: { count: ix.maxSeqNo + 1, deleted: 0 },
              seq_no: seqNo,
            },
          ],
        },
      }),
    };
  }
  return {
    status: 200,
    body: {
      _shards: { total: names.length, successful: names.length, failed: 0 },
      indices,
    },
  };
}
