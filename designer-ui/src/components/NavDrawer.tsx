// The phone's navigation drawer, in its own chunk: a desk never loads it,
// and a phone only when the menu button is first pressed.
import type { ReactNode } from 'react';
import { Drawer } from 'antd';

export default function NavDrawer({ open, onClose, title, children }: { open: boolean; onClose: () => void; title: string; children: ReactNode }) {
  return (
    <Drawer open={open} onClose={onClose} placement="left" size={260} title={title}>
      {children}
    </Drawer>
  );
}
