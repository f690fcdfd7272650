src.ts
