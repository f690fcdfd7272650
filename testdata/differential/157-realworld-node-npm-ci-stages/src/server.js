import express from "express";
import { route } from "./routes/health.js";
export const app = express();
