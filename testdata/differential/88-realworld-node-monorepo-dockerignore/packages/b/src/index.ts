packages/b/src/index.ts
