// Tiny hand-built ONNX graphs that carry the metadata sherpa-onnx checks, so tests can drive sherpa's real
// native loading, feature extraction, decoding and clustering without downloading weights. Their outputs
// follow signal energy, not language: they prove the plumbing, not accuracy.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type * as OnnxProto from 'onnx-proto';

const require = createRequire(import.meta.url);
const { onnx } = require('onnx-proto') as typeof OnnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;

type Dim = number | string;

function valueInfo(name: string, dims: Dim[], elemType: number = FLOAT): OnnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } },
  };
}

function tensor(name: string, dims: number[], values: ArrayLike<number>): OnnxProto.onnx.ITensorProto {
  return { name, dims, dataType: FLOAT, floatData: Array.from(values) };
}

function ints(name: string, v: number[]): OnnxProto.onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INTS, ints: v };
}

function int(name: string, v: number): OnnxProto.onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INT, i: v };
}

function op(opType: string, input: string[], output: string[], attribute: OnnxProto.onnx.IAttributeProto[] = []): OnnxProto.onnx.INodeProto {
  return { opType, input, output, attribute };
}

function encodeModel(graph: OnnxProto.onnx.IGraphProto, metadata: Record<string, string | number> | null): Uint8Array {
  return onnx.ModelProto.encode(
    onnx.ModelProto.create({
      irVersion: 7,
      producerName: 'reflector-standin',
      opsetImport: [{ domain: '', version: 13 }],
      graph,
      metadataProps: metadata ? Object.entries(metadata).map(([key, value]) => ({ key, value: String(value) })) : [],
    }),
  ).finish();
}

async function put(path: string, bytes: Uint8Array | string): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, bytes);
  return path;
}

/**
 * CTC recogniser for sherpa's `tdnn` slot: the frame's mean log-mel energy decides between blank and the
 * single word "speech", so every burst of speech decodes to "speech" at the time it starts.
 */
export async function writeStandinTdnn(dir: string, opts: { withMetadata?: boolean; energyThreshold?: number } = {}): Promise<{ model: string; tokens: string }> {
  const threshold = opts.energyThreshold ?? -4;
  const graph: OnnxProto.onnx.IGraphProto = {
    name: 'standin_tdnn',
    node: [
      op('ReduceMean', ['x'], ['energy'], [ints('axes', [2]), int('keepdims', 1)]),
      op('MatMul', ['energy', 'w'], ['logits_raw']),
      op('Add', ['logits_raw', 'b'], ['logits']),
      op('LogSoftmax', ['logits'], ['log_probs'], [int('axis', -1)]),
    ],
    // blank logit 0; "speech" logit = 4 * (energy - threshold)
    initializer: [tensor('w', [1, 2], [0, 4]), tensor('b', [2], [0, -4 * threshold])],
    input: [valueInfo('x', ['N', 'T', 80])],
    output: [valueInfo('log_probs', ['N', 'T', 2])],
  };
  const model = await put(join(dir, 'model.onnx'), encodeModel(graph, opts.withMetadata === false ? null : { vocab_size: 2, model_type: 'tdnn' }));
  const tokens = await put(join(dir, 'tokens.txt'), '<blk> 0\n\u2581speech 1\n');
  return { model, tokens };
}

/**
 * NeMo TDT transducer (Parakeet's layout: encoder, stateful decoder, joiner with duration logits) for
 * sherpa's `nemo_transducer` path. The encoder passes on each frame's mean normalised log-mel energy; the
 * joiner emits "speech" on loud frames and then skips `wordFrames` frames via the TDT duration head, so a
 * burst of speech decodes to one "speech" word per `wordFrames` × 10 ms, with durations.
 */
export async function writeStandinParakeet(dir: string, opts: { wordFrames?: number; energyThreshold?: number; normalizeType?: string } = {}): Promise<{ encoder: string; decoder: string; joiner: string; tokens: string }> {
  const INT64 = onnx.TensorProto.DataType.INT64;
  const INT32 = onnx.TensorProto.DataType.INT32;
  const skip = opts.wordFrames ?? 40;
  const encoderGraph: OnnxProto.onnx.IGraphProto = {
    name: 'standin_tdt_encoder',
    node: [op('ReduceMean', ['audio_signal'], ['outputs'], [ints('axes', [1]), int('keepdims', 1)]), op('Identity', ['length'], ['encoded_lengths'])],
    input: [valueInfo('audio_signal', ['N', 80, 'T']), valueInfo('length', ['N'], INT64)],
    output: [valueInfo('outputs', ['N', 1, 'T']), valueInfo('encoded_lengths', ['N'], INT64)],
  };
  const decoderGraph: OnnxProto.onnx.IGraphProto = {
    name: 'standin_tdt_decoder',
    node: [
      op('Cast', ['targets'], ['decoder_out'], [int('to', FLOAT)]),
      op('Identity', ['target_length'], ['prednet_lengths']),
      op('Identity', ['states.1'], ['states_next.1']),
      op('Identity', ['onnx::Slice_3'], ['states_next.2']),
    ],
    input: [valueInfo('targets', ['N', 1], INT32), valueInfo('target_length', ['N'], INT32), valueInfo('states.1', [1, 'N', 1]), valueInfo('onnx::Slice_3', [1, 'N', 1])],
    output: [valueInfo('decoder_out', ['N', 1]), valueInfo('prednet_lengths', ['N'], INT32), valueInfo('states_next.1', [1, 'N', 1]), valueInfo('states_next.2', [1, 'N', 1])],
  };
  // logits: [speech, <blk>, duration 0 … duration skip]
  const width = 2 + skip + 1;
  const w = new Float32Array(width);
  const b = new Float32Array(width).fill(-10);
  const thr = opts.energyThreshold ?? 0;
  w[0] = 4; // speech grows with energy
  b[0] = -4 * thr;
  b[1] = 0; // blank is the fallback
  b[2 + 1] = 0; // skip one frame on silence
  w[2 + skip] = 4; // skip a whole word on speech
  b[2 + skip] = -4 * thr;
  const joinerGraph: OnnxProto.onnx.IGraphProto = {
    name: 'standin_tdt_joiner',
    node: [op('Flatten', ['encoder_outputs'], ['frame'], [int('axis', 1)]), op('MatMul', ['frame', 'w'], ['scaled']), op('Add', ['scaled', 'b'], ['outputs'])],
    initializer: [tensor('w', [1, width], w), tensor('b', [width], b)],
    input: [valueInfo('encoder_outputs', ['N', 1, 1]), valueInfo('decoder_outputs', ['N', 1])],
    output: [valueInfo('outputs', ['N', width])],
  };
  const encoder = await put(
    join(dir, 'encoder.int8.onnx'),
    encodeModel(encoderGraph, { vocab_size: 1, subsampling_factor: 1, normalize_type: opts.normalizeType ?? 'per_feature', pred_rnn_layers: 1, pred_hidden: 1, feat_dim: 80, url: 'standin-parakeet-tdt' }),
  );
  const decoder = await put(join(dir, 'decoder.int8.onnx'), encodeModel(decoderGraph, null));
  const joiner = await put(join(dir, 'joiner.int8.onnx'), encodeModel(joinerGraph, null));
  const tokens = await put(join(dir, 'tokens.txt'), '\u2581speech 0\n<blk> 1\n');
  return { encoder, decoder, joiner, tokens };
}

/**
 * pyannote-3.0-shaped segmentation: frame energy over the real receptive field (991 samples, hop 270),
 * mapped to the 7 powerset classes so that loud frames mean "speaker 1 alone" and quiet ones "nobody".
 */
export async function writeStandinSegmentation(path: string, opts: { logEnergyThreshold?: number } = {}): Promise<string> {
  const thr = opts.logEnergyThreshold ?? -9;
  const field = 991;
  const hop = 270;
  // class order: silence, s1, s2, s3, s1+s2, s1+s3, s2+s3
  const scale = [-1, 1, 0, 0, 0, 0, 0];
  const bias = [thr, -thr, -20, -20, -20, -20, -20];
  const graph: OnnxProto.onnx.IGraphProto = {
    name: 'standin_segmentation',
    node: [
      op('Mul', ['x', 'x'], ['power']),
      op('Conv', ['power', 'box'], ['mean_power'], [ints('kernel_shape', [field]), ints('strides', [hop])]),
      op('Add', ['mean_power', 'eps'], ['mean_power_eps']),
      op('Log', ['mean_power_eps'], ['log_power']),
      op('Conv', ['log_power', 'class_w', 'class_b'], ['class_logits'], [ints('kernel_shape', [1])]),
      op('Transpose', ['class_logits'], ['frames'], [ints('perm', [0, 2, 1])]),
      op('LogSoftmax', ['frames'], ['y'], [int('axis', -1)]),
    ],
    initializer: [
      tensor('box', [1, 1, field], new Float32Array(field).fill(1 / field)),
      tensor('eps', [1], [1e-8]),
      tensor('class_w', [7, 1, 1], scale),
      tensor('class_b', [7], bias),
    ],
    input: [valueInfo('x', ['N', 1, 'S'])],
    output: [valueInfo('y', ['N', 'F', 7])],
  };
  return put(
    path,
    encodeModel(graph, {
      model_type: 'pyannote-segmentation-3.0',
      sample_rate: 16000,
      window_size: 160000,
      receptive_field_size: field,
      receptive_field_shift: hop,
      num_speakers: 3,
      powerset_max_classes: 2,
      num_classes: 7,
    }),
  );
}

/**
 * Speaker embedding: the utterance's mean log-mel spectrum with its own average removed. Crude, but it does
 * tell apart voices with different spectral balance (the festival voices used in tests).
 */
export async function writeStandinEmbedding(path: string, opts: { withMetadata?: boolean } = {}): Promise<string> {
  const d = 80;
  const centre = new Float32Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) centre[i * d + j] = (i === j ? 1 : 0) - 1 / d;
  const graph: OnnxProto.onnx.IGraphProto = {
    name: 'standin_embedding',
    node: [op('ReduceMean', ['x'], ['mean'], [ints('axes', [1]), int('keepdims', 0)]), op('MatMul', ['mean', 'centre'], ['embedding'])],
    initializer: [tensor('centre', [d, d], centre)],
    input: [valueInfo('x', ['N', 'T', d])],
    output: [valueInfo('embedding', ['N', d])],
  };
  const meta = { framework: 'wespeaker', output_dim: d, sample_rate: 16000, normalize_samples: 1, language: 'English' };
  return put(path, encodeModel(graph, opts.withMetadata === false ? null : meta));
}

/** Random bytes with an .onnx name: onnxruntime throws inside sherpa, which aborts the process. */
export async function writeGarbageOnnx(path: string, bytes = 4096): Promise<string> {
  return put(path, randomBytes(bytes));
}

/** The first part of a valid model, as left by an interrupted copy. */
export async function writeTruncatedCopy(source: string, path: string, fraction = 0.6): Promise<string> {
  const data = await readFile(source);
  return put(path, data.subarray(0, Math.floor(data.length * fraction)));
}

/** Packs `dir` (as top-level folder `rootName`) into a .tar.bz2 like the sherpa-onnx release assets. */
export async function packTarBz2(parent: string, rootName: string, out: string): Promise<string> {
  await promisify(execFile)('tar', ['-cjf', out, '-C', parent, rootName]);
  return out;
}
