module reliability/01_demo

go 1.26
