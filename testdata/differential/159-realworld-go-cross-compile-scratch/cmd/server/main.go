package main

var version, commit string

func main() {}
