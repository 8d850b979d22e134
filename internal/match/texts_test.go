package match

import "strings"

// articleParas is one outlet's story, eight paragraphs.
var articleParas = []string{
	`The Riverside city council voted 7 to 2 on Tuesday night to build a two-kilometre flood barrier along the eastern bank of the Kessel river, ending more than three years of argument over how to protect the low-lying Millbrook district after the floods of 2021.`,
	`The barrier, a concrete wall topped with removable steel panels, will cost an estimated 48 million euros. About two thirds of the money is expected to come from a national climate adaptation fund, with the remainder split between the city and the regional water board.`,
	`"We have asked the people of Millbrook to wait long enough," said mayor Annelies Verhoeven after the vote. "Every winter we hold our breath when the river rises. This decision means that in four years we will not have to."`,
	`Opponents on the council argued that the wall would cut the district off from the river and that the money would be better spent on upstream retention basins, which would let farmland absorb water before it reached the city. Councillor Pieter Dam called the plan "a nineteenth-century answer to a twenty-first-century problem".`,
	`Engineers from the water board told the council that retention basins alone could not handle a flood of the size seen in 2021, when the Kessel rose almost three metres above its normal level in two days and more than 600 homes were evacuated.`,
	`Residents who packed the public gallery were divided. Some applauded when the result was read out; others held signs asking the council to save the riverside footpath, a popular walking route that will be closed for most of the construction period.`,
	`Construction is due to start in the spring of next year, once the final design has been approved by the province. The city has promised to publish a timetable for the footpath closure and to hold monthly information evenings in the Millbrook community centre.`,
	`The council also approved a smaller measure to replace the district's storm drains, which officials said had been overwhelmed during heavy rain several times in the past decade. That work, costing about 6 million euros, will begin this autumn.`,
}

// sameTopicParas is another outlet's own report of the same vote: same
// facts, same names, one shared quote, its own words.
var sameTopicParas = []string{
	`After three years of debate, Riverside will get its flood wall. Councillors backed the 48-million-euro project by seven votes to two at a late sitting on Tuesday, siding with engineers who say nothing else can keep the Kessel out of Millbrook.`,
	`The district was among the worst hit in 2021, when water poured into hundreds of houses along the eastern bank and families spent weeks in temporary accommodation. Many of them were in the room for the vote.`,
	`Mayor Annelies Verhoeven, who made the wall a central promise of her campaign, said the city had asked the people of Millbrook to wait long enough. She told reporters the national adaptation fund had already signalled its support.`,
	`Not everyone is convinced. Councillor Pieter Dam, who voted against, said the city was building "a nineteenth-century answer to a twenty-first-century problem" and should instead pay farmers upstream to let their fields flood.`,
	`The regional water board, which will share the cost, says its models show upstream basins would lower a 2021-size flood by less than half a metre. The wall, with steel panels that can be raised when the river is high, is designed for more than three metres.`,
	`Walkers are unhappy too: the riverside path will close for much of the two-year build. A petition to keep at least part of it open has gathered more than 2,000 signatures, organisers said.`,
	`Work is expected to begin next spring if the province approves the design. Separately, the council agreed to spend six million euros on new storm drains for the district, starting in the autumn.`,
}

// unrelatedParas is a different story altogether.
var unrelatedParas = []string{
	`Shares in the chip maker Norvane fell 14 percent on Wednesday after the company cut its revenue forecast for the year, blaming weak demand for laptops and a slower than expected recovery in the smartphone market.`,
	`The company now expects sales of between 3.1 and 3.3 billion dollars, down from an earlier range of 3.6 to 3.8 billion. Analysts had on average expected 3.5 billion.`,
	`Chief executive Maria Santos told investors on a call that customers were still working through inventories built up during the pandemic, and that she did not expect orders to pick up before the second half of next year.`,
	`Norvane also said it would delay the opening of a new factory in Arizona by twelve months and cut about 800 jobs, roughly five percent of its workforce, mostly in sales and administration.`,
	`Other chip stocks were dragged lower by the news, with an index of semiconductor companies down more than three percent by midday.`,
}

func join(paras []string) string { return strings.Join(paras, "\n\n") }
