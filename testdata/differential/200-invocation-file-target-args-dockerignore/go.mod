content go.mod
