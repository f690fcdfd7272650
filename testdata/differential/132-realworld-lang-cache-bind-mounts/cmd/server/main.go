package main // server
