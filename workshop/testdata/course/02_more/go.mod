module reliability/02_more

go 1.26
