import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { OpenedImage } from '../../src-shared/contract/api';
import type { ModelInfo } from '../../src-shared/contract/export';
import type { Protocol, RunView, Task } from '../../src-shared/contract/restore';
import { DEFAULT_TASK } from '../../src-shared/tasks/registry';
import { workingSize } from './editor/crop';
import { Editor } from './editor/Editor';
import { rasterizeMask } from './editor/mask-raster';
import { runRegion } from './editor/overlay-region';
import { useEditor } from './editor/useEditor';
import { useEditorView } from './editor/useEditorView';
import { editsNoticeText, useSavedEdits, type TaskChoice } from './editor/useSavedEdits';
import { buildRequest, RENDERER_TASKS } from './run/task-sides';
import { RunPanel } from './run/RunPanel';
import { useRestoreJob } from './run/useRestoreJob';
import { useRestoreEstimate } from './run/useRestoreEstimate';
import { Banner } from './components/Banner';
import { ErrorBanner } from './components/ErrorBanner';
import { useKeyboardScope } from './keyboard/useKeyboardScope';

interface WorkspaceProps {
  readonly image: OpenedImage;
  readonly defaultProtocol: Protocol;
  readonly models: ModelInfo | null;
  readonly onFinished: (run: RunView) => void;
  readonly onStarted: () => void;
  /** The size of the photo as the editor now has it (after a crop), for the header. */
  readonly onWorkingSize?: (size: { width: number; height: number }) => void;
  /** Shown in place of the editor (the results of a run); the editor keeps its state meanwhile. */
  readonly results: ReactNode;
}

const MASK_COLOUR = '#ff3b6b';
/** A region to blur is not damage: it is shown in another colour than the damage mask. */
const BLUR_REGION_COLOUR = '#3b9bff';

/** One open photo: the editor, the run panel, and the restoration job that connects them. */
export function Workspace({
  image,
  defaultProtocol,
  models,
  onFinished,
  onStarted,
  onWorkingSize,
  results,
}: WorkspaceProps) {
  const editor = useEditor();
  const view = useEditorView(image);
  const [task, setTask] = useState<Task>(DEFAULT_TASK);
  const [protocol, setProtocol] = useState<Protocol>(defaultProtocol);
  const restoreChoice = useCallback((kept: Partial<TaskChoice>) => {
    if (kept.task) setTask(kept.task);
    if (kept.protocol) setProtocol(kept.protocol);
  }, []);
  const edits = useSavedEdits(image, editor, { task, protocol }, restoreChoice);
  const { doc } = editor;
  // The editor, the run panel and the request all work on the photo as cropped.
  const { width, height } = workingSize(image, doc.crop);
  useEffect(() => onWorkingSize?.({ width, height }), [onWorkingSize, width, height]);
  const colour = RENDERER_TASKS[task].brushesBlur?.(doc) === true ? BLUR_REGION_COLOUR : MASK_COLOUR;
  const raster = useMemo(
    () => rasterizeMask(doc.mask, width, height, colour),
    [doc.mask, width, height, colour],
  );
  const region = runRegion(task, width, height, raster, doc);
  const job = useRestoreJob(image.imageId, onFinished);
  const built = buildRequest(image.imageId, task, protocol, doc, raster, 0);
  const blockedReason = 'reason' in built ? built.reason : null;
  const estimate = useRestoreEstimate('request' in built ? built.request : null, job.busy);
  const [dismissed, setDismissed] = useState<object | null>(null);
  const jobError = job.state.status === 'failed' && job.state.error !== dismissed ? job.state.error : null;

  const run = useCallback(() => {
    if ('request' in built && !job.busy) {
      onStarted();
      void job.start(built.request);
    }
  }, [built, job, onStarted]);

  useKeyboardScope('workspace', { runRestore: run });

  return (
    <>
      <section className="canvas-area" aria-label={results ? 'Results' : 'Photo editor'}>
        {jobError && (
          <ErrorBanner error={jobError} onDismiss={() => setDismissed(jobError)} testId="job-error" />
        )}
        {edits.notice && (
          <Banner
            tone={edits.notice.kind === 'restored' ? 'notice' : 'error'}
            onDismiss={edits.dismiss}
            testId="edits-notice"
            data={{ kind: edits.notice.kind }}
          >
            {editsNoticeText(edits.notice)}
          </Banner>
        )}
        {results ?? (
          <Editor image={image} editor={editor} task={task} raster={raster} region={region} view={view} />
        )}
      </section>
      <RunPanel
        task={task}
        onTask={setTask}
        protocol={protocol}
        onProtocol={setProtocol}
        editor={editor}
        raster={raster}
        width={width}
        height={height}
        models={models}
        blockedReason={blockedReason}
        job={job.state}
        busy={job.busy}
        estimate={estimate}
        onRun={run}
        onCancel={() => void job.cancel()}
      />
    </>
  );
}
