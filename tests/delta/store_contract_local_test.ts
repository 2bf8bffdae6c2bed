import { LocalStore } from "../../src/delta/storage.ts";
import { storeContract } from "./store_contract.ts";

storeContract("LocalStore", async () => {
  const root = await Deno.makeTempDir();
  return { store: new LocalStore(root), dispose: () => Deno.remove(root, { recursive: true }) };
});
