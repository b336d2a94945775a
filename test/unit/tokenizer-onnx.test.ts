import { describe, expect, it } from 'vitest';

import { candidateProviders, listedBackends } from '../../src-main/engine/tokenizer/onnx';

describe('execution provider choice', () => {
  const everything = ['cpu', 'webgpu', 'cuda', 'tensorrt', 'dml', 'coreml'];

  it('tries CUDA, DirectML, CoreML and WebGPU where they exist, the CPU always last', () => {
    expect(candidateProviders('linux', everything)).toEqual(['cuda', 'webgpu', 'cpu']);
    expect(candidateProviders('win32', everything)).toEqual(['cuda', 'dml', 'webgpu', 'cpu']);
    expect(candidateProviders('darwin', everything)).toEqual(['coreml', 'webgpu', 'cpu']);
  });

  it('skips providers the runtime binary does not list', () => {
    expect(candidateProviders('linux', ['cpu'])).toEqual(['cpu']);
    expect(candidateProviders('win32', ['cpu', 'dml'])).toEqual(['dml', 'cpu']);
    expect(candidateProviders('linux', [])).toEqual(['cpu']);
  });

  it('reads the backends of the installed onnxruntime-node, which always include the CPU', () => {
    expect(listedBackends()).toContain('cpu');
  });
});
