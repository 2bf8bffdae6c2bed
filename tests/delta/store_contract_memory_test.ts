/** The Store contract on the in-memory store the pond tests open ponds over. */
import { MemoryStore } from "./memory_store.ts";
import { storeContract } from "./store_contract.ts";

storeContract(
  "MemoryStore",
  () => Promise.resolve({ store: new MemoryStore("contract"), dispose: () => Promise.resolve() }),
);
