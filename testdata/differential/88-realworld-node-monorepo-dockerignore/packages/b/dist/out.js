packages/b/dist/out.js
