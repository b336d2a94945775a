import { sheetGroups } from '../keyboard/actions';
import { Dialog } from './Dialog';

/** Every keyboard action, from the table the key handlers dispatch from. */
export function ShortcutSheet({ onClose }: { onClose: () => void }) {
  return (
    <Dialog title="Keyboard shortcuts" onClose={onClose} testId="shortcut-sheet">
      <table className="shortcuts">
        {sheetGroups().map((g) => (
          <tbody key={g.group}>
            <tr>
              <th colSpan={2} scope="colgroup" className="shortcut-group">
                {g.group}
              </th>
            </tr>
            {g.rows.map((row) => (
              <tr key={row.id} data-action={row.id}>
                <th scope="row">
                  {row.keys.map((k, i) => (
                    <span key={k}>
                      {i > 0 && ' or '}
                      <kbd>{k}</kbd>
                    </span>
                  ))}
                </th>
                <td>{row.label}</td>
              </tr>
            ))}
          </tbody>
        ))}
      </table>
    </Dialog>
  );
}
