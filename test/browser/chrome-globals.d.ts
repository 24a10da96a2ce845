/**
 * The few `chrome.*` calls tests make inside the browser (page.evaluate / worker.evaluate).
 * Declared here, narrowly, rather than pulling @types/chrome into every context: extension
 * code reaches the browser only through extension/platform.ts.
 */
declare namespace chrome {
  namespace runtime {
    function sendMessage(message: unknown): Promise<unknown>;
  }
  namespace action {
    function getBadgeText(details: object): Promise<string>;
    function getBadgeBackgroundColor(details: object): Promise<[number, number, number, number]>;
    function getTitle(details: object): Promise<string>;
  }
  namespace alarms {
    function getAll(): Promise<Array<{ name: string; scheduledTime: number }>>;
    function create(name: string, info: { when?: number; delayInMinutes?: number }): Promise<void>;
  }
  namespace storage {
    namespace local {
      function get(keys: null): Promise<Record<string, unknown>>;
    }
    namespace session {
      function get(keys: null): Promise<Record<string, unknown>>;
    }
  }
  namespace notifications {
    function getAll(): Promise<Record<string, boolean>>;
    function clear(id: string): Promise<boolean>;
  }
}
