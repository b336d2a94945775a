import { describe, expect, it } from 'vitest';

import {
  candidateProviders,
  listedBackends,
  vulkanLoaderPresent,
} from '../../src-main/engine/tokenizer/onnx';

describe('execution provider choice', () => {
  const everything = ['cpu', 'webgpu', 'cuda', 'tensorrt', 'dml', 'coreml'];

  it('tries CUDA, DirectML, CoreML and WebGPU where they exist, the CPU always last', () => {
    expect(candidateProviders('linux', everything, true)).toEqual(['cuda', 'webgpu', 'cpu']);
    expect(candidateProviders('win32', everything)).toEqual(['cuda', 'dml', 'webgpu', 'cpu']);
    expect(candidateProviders('darwin', everything)).toEqual(['coreml', 'webgpu', 'cpu']);
  });

  it('does not try WebGPU on Linux without the Vulkan loader it runs on', () => {
    expect(candidateProviders('linux', everything, false)).toEqual(['cuda', 'cpu']);
    // Whatever this machine has, the default agrees with the loader check.
    expect(candidateProviders('linux', everything).includes('webgpu')).toBe(vulkanLoaderPresent());
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
