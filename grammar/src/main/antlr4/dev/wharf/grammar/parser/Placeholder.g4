grammar Placeholder;
start : EOF ;
