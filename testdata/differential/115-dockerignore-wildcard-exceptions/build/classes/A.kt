build/classes/A.class
