console.log("b")
