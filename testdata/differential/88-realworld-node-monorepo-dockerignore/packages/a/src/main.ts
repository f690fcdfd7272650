packages/a/src/main.ts
