// Reads the metadata_props of an ONNX file without loading the whole model: a real Parakeet encoder is
// hundreds of megabytes, while the metadata is a few hundred bytes near the end of the ModelProto. We walk
// the top-level protobuf fields with positioned reads, skip the large ones by their length prefix, and
// decode only the metadata entries with onnx-proto. Walking every field also proves the file is not
// truncated and is shaped like a ModelProto, which is what sherpa/onnxruntime would otherwise abort on.
import { open, type FileHandle } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type * as OnnxProto from 'onnx-proto';

const require = createRequire(import.meta.url);
const { onnx } = require('onnx-proto') as typeof OnnxProto;

export interface OnnxSummary {
  metadata: Record<string, string>;
  irVersion?: number;
  graphBytes: number;
  fileBytes: number;
  /** Names of the graph's inputs and outputs (read without touching the weights). */
  inputs: string[];
  outputs: string[];
}

/** Field numbers of onnx.ModelProto and onnx.GraphProto we care about. */
const IR_VERSION = 1;
const GRAPH = 7;
const METADATA_PROPS = 14;
const GRAPH_INPUT = 11;
const GRAPH_OUTPUT = 12;

export class OnnxFormatError extends Error {}

/** Parses the top level of an ONNX file; throws OnnxFormatError when it is not a complete ModelProto. */
export async function readOnnxSummary(path: string): Promise<OnnxSummary> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    if (size < 16) throw new OnnxFormatError(`${path} is ${size} bytes: too small to be an ONNX model`);
    const reader = new FieldReader(fh, size);
    const metadata: Record<string, string> = {};
    let irVersion: number | undefined;
    let graphBytes = 0;
    const inputs: string[] = [];
    const outputs: string[] = [];
    while (reader.pos < size) {
      const key = await reader.varint();
      const field = Math.floor(key / 8);
      const wire = key & 7;
      if (field === 0) throw new OnnxFormatError(`${path} is not an ONNX model (field 0 at byte ${reader.pos})`);
      if (wire === 0) {
        const v = await reader.varint();
        if (field === IR_VERSION) irVersion = v;
      } else if (wire === 2) {
        const len = await reader.varint();
        if (reader.pos + len > size) {
          throw new OnnxFormatError(`${path} is truncated: field ${field} needs ${len} bytes, only ${size - reader.pos} remain`);
        }
        if (field === METADATA_PROPS) {
          const entry = onnx.StringStringEntryProto.decode(await reader.bytes(len));
          metadata[entry.key] = entry.value;
        } else {
          if (field === GRAPH) {
            graphBytes = len;
            await readGraphIo(reader, reader.pos + len, inputs, outputs);
          }
          reader.pos += len;
        }
      } else if (wire === 1) {
        reader.pos += 8;
      } else if (wire === 5) {
        reader.pos += 4;
      } else {
        throw new OnnxFormatError(`${path} is not an ONNX model (wire type ${wire} at byte ${reader.pos})`);
      }
    }
    if (reader.pos !== size) throw new OnnxFormatError(`${path} is truncated (last field runs past the end)`);
    if (!graphBytes) throw new OnnxFormatError(`${path} has no graph: not an ONNX model`);
    if (!inputs.length || !outputs.length) throw new OnnxFormatError(`${path} has a graph without inputs or outputs: not a usable model`);
    if (irVersion === undefined) throw new OnnxFormatError(`${path} has no ir_version: not an ONNX model`);
    return { metadata, irVersion, graphBytes, fileBytes: size, inputs, outputs };
  } finally {
    await fh.close();
  }
}

/** Walks the GraphProto's fields, decoding only the input/output descriptions; restores the position. */
async function readGraphIo(reader: FieldReader, end: number, inputs: string[], outputs: string[]): Promise<void> {
  const start = reader.pos;
  while (reader.pos < end) {
    const key = await reader.varint();
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 2) {
      const len = await reader.varint();
      if (reader.pos + len > end) throw new OnnxFormatError('graph field runs past the end of the graph: file is damaged');
      if (field === GRAPH_INPUT || field === GRAPH_OUTPUT) {
        const vi = onnx.ValueInfoProto.decode(await reader.bytes(len));
        (field === GRAPH_INPUT ? inputs : outputs).push(vi.name);
      } else reader.pos += len;
    } else if (wire === 0) await reader.varint();
    else if (wire === 1) reader.pos += 8;
    else if (wire === 5) reader.pos += 4;
    else throw new OnnxFormatError(`graph is damaged (wire type ${wire})`);
  }
  reader.pos = start;
}

class FieldReader {
  pos = 0;
  private buf = Buffer.alloc(0);
  private bufStart = 0;
  constructor(
    private readonly fh: FileHandle,
    private readonly size: number,
  ) {}

  private async byteAt(pos: number): Promise<number> {
    if (pos < this.bufStart || pos >= this.bufStart + this.buf.length) {
      const want = Math.min(4096, this.size - pos);
      if (want <= 0) throw new OnnxFormatError('unexpected end of file inside a protobuf field header');
      const b = Buffer.alloc(want);
      const { bytesRead } = await this.fh.read(b, 0, want, pos);
      this.buf = b.subarray(0, bytesRead);
      this.bufStart = pos;
      if (!bytesRead) throw new OnnxFormatError('unexpected end of file');
    }
    return this.buf[pos - this.bufStart];
  }

  async varint(): Promise<number> {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      const b = await this.byteAt(this.pos++);
      result += (b & 0x7f) * mul;
      if (!(b & 0x80)) return result;
      mul *= 128;
    }
    throw new OnnxFormatError('malformed varint');
  }

  async bytes(len: number): Promise<Buffer> {
    const b = Buffer.alloc(len);
    const { bytesRead } = await this.fh.read(b, 0, len, this.pos);
    if (bytesRead !== len) throw new OnnxFormatError('unexpected end of file');
    this.pos += len;
    return b;
  }
}
