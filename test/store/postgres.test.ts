import { describe } from "node:test";
import { PostgresStore } from "../../src/store/postgres/postgres-store.js";
import type { Store } from "../../src/store/store.js";
import { freshSchema, postgresOnly } from "../helpers/postgres.js";
import { storeConformance } from "./conformance.js";

describe("PostgreSQL", postgresOnly, () => {
  storeConformance("PostgresStore", {
    async create({ clock }) {
      const schema = freshSchema();
      const store = await PostgresStore.open(schema.url, { clock });
      const others: Store[] = [];
      return {
        store,
        async connectAgain() {
          const other = await PostgresStore.open(schema.url, { clock });
          others.push(other);
          return other;
        },
        async cleanup() {
          for (const open of [store, ...others]) await open.close();
          await schema.drop();
        },
      };
    },
  });
});
