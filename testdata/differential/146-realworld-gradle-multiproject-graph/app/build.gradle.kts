dependencies { }
