console.log("a")
