package seed

// This file holds the seed's static vocabulary: cardholder locales (names,
// e-mail domains, phone plans), merchants, currencies, decline reasons and
// devices. Every list is read-only after init.

// locale is where a cardholder comes from: it picks the names, the e-mail
// domains, the phone number and, for most purchases, the merchants.
type locale struct {
	country  string // ISO 3166-1 alpha-2
	weight   int    // relative share of cardholders
	dialCode string // "+34"
	// phone describes the national number: a prefix chosen at random and the
	// count of random digits after it.
	phonePrefixes []string
	phoneDigits   int
	male, female  []string
	last          []string
	// twoSurnames: Spanish-speaking holders often carry both surnames.
	twoSurnames bool
	// familyFirst: Vietnamese order, family name, middle name, given name.
	familyFirst bool
	middleM     []string // Vietnamese middle names (male/female)
	middleF     []string
	// feminine turns a surname into its feminine form (Polish -ski/-ska).
	feminine func(string) string
	domains  []weighted
}

type weighted struct {
	s string
	w int
}

var globalDomains = []weighted{
	{"gmail.com", 50}, {"outlook.com", 10}, {"hotmail.com", 10}, {"yahoo.com", 8},
	{"icloud.com", 8}, {"proton.me", 4}, {"protonmail.com", 2},
}

func polishFeminine(s string) string {
	for _, suf := range []string{"ski", "cki", "dzki"} {
		if len(s) > len(suf) && s[len(s)-len(suf):] == suf {
			return s[:len(s)-1] + "a"
		}
	}
	return s
}

var locales = []locale{
	{
		country: "US", weight: 14, dialCode: "+1",
		phonePrefixes: []string{"201", "212", "213", "305", "312", "347", "415", "469", "503", "512", "617", "646", "702", "713", "718", "786", "818", "917", "929"},
		phoneDigits:   7,
		male:          []string{"James", "Michael", "Robert", "David", "William", "Christopher", "Joseph", "Daniel", "Matthew", "Anthony", "Joshua", "Andrew", "Brandon", "Tyler", "Jacob", "Ethan", "Noah", "Liam", "Mason", "Logan", "Jayden", "DeShawn", "José", "Andrés", "Kevin", "Brian"},
		female:        []string{"Mary", "Jennifer", "Linda", "Elizabeth", "Patricia", "Jessica", "Sarah", "Karen", "Nancy", "Emily", "Ashley", "Megan", "Brittany", "Madison", "Chloe", "Olivia", "Ava", "Harper", "Evelyn", "Abigail", "Aaliyah", "Zoë", "Renée", "Chloé", "Kayla", "Shaniqua"},
		last:          []string{"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "O'Brien", "O'Connor", "McDonald", "Kim", "Park", "Chen", "Wong", "Patel", "Murphy", "Sullivan", "Kowalski", "Russo", "Cohen", "Goldberg", "Washington", "Jefferson"},
		domains:       []weighted{{"gmail.com", 45}, {"yahoo.com", 12}, {"outlook.com", 10}, {"icloud.com", 12}, {"aol.com", 4}, {"comcast.net", 3}, {"hotmail.com", 6}, {"proton.me", 3}},
	},
	{
		country: "GB", weight: 6, dialCode: "+44",
		phonePrefixes: []string{"71", "73", "74", "75", "77", "78", "79"},
		phoneDigits:   8,
		male:          []string{"Oliver", "George", "Harry", "Jack", "Charlie", "Thomas", "Oscar", "William", "James", "Alfie", "Rhys", "Seán", "Callum", "Dafydd", "Mohammed", "Liam", "Euan", "Ciarán"},
		female:        []string{"Amelia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Freya", "Florence", "Emily", "Poppy", "Siân", "Niamh", "Aoife", "Eilidh", "Ffion", "Gwen", "Priya", "Saoirse"},
		last:          []string{"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke", "Patel", "Khan", "Lewis", "James", "Phillips", "Mason", "Mitchell", "Rose", "Cox", "Hughes", "Ward", "Turner", "O'Neill", "Macdonald", "MacLeod", "Campbell", "Stewart", "Fitzgerald", "Ó Briain", "Llewellyn", "Ní Dhuibhir", "Begum", "Ahmed"},
		domains:       []weighted{{"gmail.com", 40}, {"outlook.com", 10}, {"btinternet.com", 8}, {"yahoo.co.uk", 8}, {"hotmail.co.uk", 10}, {"sky.com", 5}, {"icloud.com", 10}},
	},
	{
		country: "ES", weight: 8, dialCode: "+34",
		phonePrefixes: []string{"6", "7"},
		phoneDigits:   8,
		twoSurnames:   true,
		male:          []string{"José", "Juan", "Luis", "Javier", "Alejandro", "Pablo", "Íñigo", "Álvaro", "Jesús", "Raúl", "Sergio", "David", "Andrés", "Ramón", "Héctor", "Adrián", "Iván", "Joaquín", "José Luis", "Jordi", "Xabier", "Óscar"},
		female:        []string{"María", "Ana", "Carmen", "Lucía", "Sofía", "Marta", "Begoña", "Inés", "Nuria", "Elena", "Rocío", "Pilar", "Ángela", "Paula", "Noelia", "Mónica", "María José", "Montserrat", "Aránzazu", "Itziar"},
		last:          []string{"García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Muñoz", "Álvarez", "Romero", "Alonso", "Gutiérrez", "Navarro", "Torres", "Domínguez", "Vázquez", "Ramos", "Gil", "Ramírez", "Serrano", "Blanco", "Molina", "Suárez", "Ortega", "Delgado", "Castro", "Núñez", "Iglesias", "Cortés", "Méndez", "León", "Márquez", "Peña", "Ibáñez", "Durán", "Benítez", "Sáez", "Etxeberria", "Puigdemont", "Ferrer"},
		domains:       []weighted{{"gmail.com", 50}, {"hotmail.es", 15}, {"yahoo.es", 8}, {"outlook.es", 8}, {"telefonica.net", 4}, {"icloud.com", 6}},
	},
	{
		country: "MX", weight: 9, dialCode: "+52",
		phonePrefixes: []string{"55", "33", "81", "222", "442", "664", "998"},
		phoneDigits:   8,
		twoSurnames:   true,
		male:          []string{"José Luis", "Juan Carlos", "Fernando", "Diego", "Luis Ángel", "Emiliano", "Santiago", "Jorge", "Ricardo", "Miguel Ángel", "Óscar", "Eduardo", "Héctor", "Alejandro", "Jesús", "Cuauhtémoc"},
		female:        []string{"Guadalupe", "Ximena", "Alejandra", "Sofía", "Valeria", "Mariana", "Itzel", "Regina", "Camila", "Daniela", "Fátima", "Brenda", "Andrea", "Renata", "Paola", "María Fernanda"},
		last:          []string{"Hernández", "García", "Martínez", "López", "González", "Pérez", "Rodríguez", "Sánchez", "Ramírez", "Cruz", "Flores", "Gómez", "Morales", "Vázquez", "Reyes", "Jiménez", "Torres", "Díaz", "Gutiérrez", "Mendoza", "Aguilar", "Ortiz", "Castillo", "Álvarez", "Méndez", "Chávez", "Rivera", "Juárez", "Domínguez", "Guzmán", "Velázquez", "Salazar", "Contreras", "Luna", "Estrada", "Bautista", "Ávila", "Ríos", "Cervantes", "Ibarra", "Xicoténcatl", "Tapia"},
		domains:       []weighted{{"gmail.com", 50}, {"hotmail.com", 20}, {"outlook.com", 10}, {"yahoo.com.mx", 8}, {"prodigy.net.mx", 3}},
	},
	{
		country: "AR", weight: 5, dialCode: "+54",
		phonePrefixes: []string{"911", "9351", "9341", "9261"},
		phoneDigits:   7,
		twoSurnames:   false,
		male:          []string{"Martín", "Facundo", "Santiago", "Agustín", "Nicolás", "Matías", "Tomás", "Gonzalo", "Joaquín", "Ezequiel", "Federico", "Lautaro"},
		female:        []string{"Lucía", "Florencia", "Valentina", "Camila", "Micaela", "Julieta", "Agustina", "Milagros", "Rocío", "Sol", "Belén", "Ludmila"},
		last:          []string{"González", "Rodríguez", "Gómez", "Fernández", "López", "Díaz", "Martínez", "Pérez", "García", "Sánchez", "Romero", "Sosa", "Torres", "Álvarez", "Ruiz", "Benítez", "Acosta", "Medina", "Herrera", "Suárez", "Aguirre", "Giménez", "Pereyra", "Rossi", "Ferrari", "Schneider", "Peralta", "Quiroga"},
		domains:       []weighted{{"gmail.com", 55}, {"hotmail.com", 20}, {"yahoo.com.ar", 8}, {"fibertel.com.ar", 3}, {"outlook.com", 6}},
	},
	{
		country: "CO", weight: 3, dialCode: "+57",
		phonePrefixes: []string{"300", "301", "310", "311", "312", "315", "316", "320"},
		phoneDigits:   7,
		twoSurnames:   true,
		male:          []string{"Andrés Felipe", "Juan Sebastián", "Camilo", "Santiago", "Sebastián", "Julián", "Alejandro", "Jhon Jairo"},
		female:        []string{"Laura", "Valentina", "Daniela", "Natalia", "Mariana", "Carolina", "Manuela", "Catalina", "Paola", "Luisa Fernanda"},
		last:          []string{"Rodríguez", "Gómez", "González", "Martínez", "García", "López", "Hernández", "Sánchez", "Ramírez", "Pérez", "Díaz", "Muñoz", "Rojas", "Moreno", "Jiménez", "Vargas", "Ospina", "Restrepo", "Londoño", "Zapata", "Cárdenas", "Giraldo", "Quintero", "Castaño", "Arango"},
		domains:       []weighted{{"gmail.com", 60}, {"hotmail.com", 20}, {"outlook.com", 10}, {"yahoo.com", 5}},
	},
	{
		country: "BR", weight: 9, dialCode: "+55",
		phonePrefixes: []string{"119", "219", "319", "419", "519", "619", "719", "819", "859"},
		phoneDigits:   8,
		male:          []string{"João", "José", "Luiz", "Antônio", "Carlos", "Paulo", "Pedro", "Lucas", "Gabriel", "Rafael", "Matheus", "Thiago", "Gustavo", "Felipe", "Vinícius", "Caio", "Otávio", "Heitor", "João Vítor", "Luís Otávio"},
		female:        []string{"Maria", "Ana", "Francisca", "Adriana", "Juliana", "Márcia", "Fernanda", "Patrícia", "Aline", "Camila", "Letícia", "Beatriz", "Larissa", "Bruna", "Júlia", "Luíza", "Cecília", "Conceição", "Maria Eduarda", "Ana Clara"},
		last:          []string{"Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima", "Gomes", "Costa", "Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes", "Soares", "Fernandes", "Vieira", "Barbosa", "Rocha", "Dias", "Nascimento", "Andrade", "Moreira", "Nunes", "Marques", "Machado", "Mendes", "Freitas", "Cardoso", "Gonçalves", "Araújo", "Magalhães", "Assunção", "Brandão", "Falcão", "Guimarães", "Simões", "da Silva", "dos Santos", "de Souza"},
		domains:       []weighted{{"gmail.com", 55}, {"hotmail.com", 15}, {"uol.com.br", 6}, {"bol.com.br", 4}, {"terra.com.br", 3}, {"yahoo.com.br", 6}, {"outlook.com", 5}},
	},
	{
		country: "PT", weight: 2, dialCode: "+351",
		phonePrefixes: []string{"91", "92", "93", "96"},
		phoneDigits:   7,
		male:          []string{"João", "Tiago", "Rodrigo", "Diogo", "Gonçalo", "Duarte", "Afonso", "Tomás", "Rui", "Nuno"},
		female:        []string{"Inês", "Beatriz", "Mariana", "Leonor", "Matilde", "Carolina", "Francisca", "Margarida", "Sofia", "Catarina"},
		last:          []string{"Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Costa", "Rodrigues", "Martins", "Jesus", "Sousa", "Fernandes", "Gonçalves", "Gomes", "Lopes", "Marques", "Alves", "Almeida", "Ribeiro", "Pinto", "Carvalho", "Teixeira", "Correia", "Monteiro", "Magalhães", "Simões", "Loureiro", "Antunes", "Brandão", "Conceição"},
		domains:       []weighted{{"gmail.com", 55}, {"sapo.pt", 15}, {"hotmail.com", 15}, {"outlook.pt", 5}},
	},
	{
		country: "DE", weight: 6, dialCode: "+49",
		phonePrefixes: []string{"151", "152", "157", "160", "162", "170", "171", "172", "176", "177", "178"},
		phoneDigits:   8,
		male:          []string{"Lukas", "Jonas", "Leon", "Finn", "Paul", "Felix", "Maximilian", "Elias", "Jürgen", "Sören", "Jörg", "Björn", "Günther", "Uwe", "Dieter", "Matthias", "Tobias", "Niklas", "Florian", "Jannik"},
		female:        []string{"Anna", "Lea", "Hannah", "Lena", "Mia", "Sophie", "Emma", "Marie", "Käthe", "Bärbel", "Ursula", "Helga", "Katrin", "Sabine", "Jana", "Anke", "Mareike", "Jülide"},
		last:          []string{"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Werner", "Krause", "Lehmann", "Köhler", "König", "Huber", "Fuchs", "Möller", "Weiß", "Jung", "Hahn", "Vogel", "Günther", "Böhm", "Krämer", "Jäger", "Groß", "Kühn", "Strauß", "Gößling", "Weißmüller", "Yılmaz", "Nowak"},
		domains:       []weighted{{"gmail.com", 35}, {"web.de", 20}, {"gmx.de", 20}, {"t-online.de", 10}, {"posteo.de", 4}, {"outlook.de", 5}},
	},
	{
		country: "FR", weight: 5, dialCode: "+33",
		phonePrefixes: []string{"6", "7"},
		phoneDigits:   8,
		male:          []string{"François", "Jérôme", "Benoît", "Théo", "Maël", "Mathéo", "Louis", "Hugo", "Jules", "Raphaël", "Étienne", "Cédric", "Stéphane", "Frédéric", "Loïc", "Joël", "Gérard", "Jean-Baptiste", "Aurélien"},
		female:        []string{"Zoë", "Hélène", "Amélie", "Chloé", "Léa", "Noémie", "Gaëlle", "Camille", "Manon", "Inès", "Léna", "Clémence", "Océane", "Élodie", "Aurélie", "Anaïs", "Geneviève", "Thérèse", "Séverine", "Marie-Noëlle"},
		last:          []string{"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "André", "Lefebvre", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Légaré", "Bérubé", "Lévêque", "Côté", "Gagné", "Château", "Brûlé", "Béranger", "Clément", "Guérin", "Noël", "Rivière", "Lemoine", "Benali", "Nguyen"},
		domains:       []weighted{{"gmail.com", 40}, {"orange.fr", 15}, {"free.fr", 12}, {"laposte.net", 6}, {"sfr.fr", 6}, {"hotmail.fr", 10}, {"outlook.fr", 5}},
	},
	{
		country: "IT", weight: 4, dialCode: "+39",
		phonePrefixes: []string{"320", "328", "333", "338", "340", "347", "349", "366", "388"},
		phoneDigits:   7,
		male:          []string{"Giuseppe", "Giovanni", "Antonio", "Francesco", "Alessandro", "Lorenzo", "Matteo", "Andrea", "Luca", "Niccolò", "Gabriele", "Tommaso", "Mattia", "Leonardo"},
		female:        []string{"Maria", "Anna", "Giulia", "Sofia", "Chiara", "Francesca", "Martina", "Federica", "Elena", "Aurora", "Ludovica", "Beatrice", "Alessia", "Noemi"},
		last:          []string{"Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo", "Lombardi", "Moretti", "Barbieri", "Fontana", "Santoro", "Caruso", "Ferrara", "D'Angelo", "De Santis", "Niccolai", "Fabbri", "Sanna", "Piras"},
		domains:       []weighted{{"gmail.com", 45}, {"libero.it", 20}, {"virgilio.it", 8}, {"tiscali.it", 4}, {"hotmail.it", 8}, {"outlook.it", 5}},
	},
	{
		country: "NL", weight: 2, dialCode: "+31",
		phonePrefixes: []string{"6"},
		phoneDigits:   8,
		male:          []string{"Daan", "Sem", "Lucas", "Levi", "Finn", "Jesse", "Bram", "Thijs", "Joris", "Maarten", "Sjoerd"},
		female:        []string{"Emma", "Julia", "Mila", "Tess", "Sophie", "Zoë", "Fleur", "Anouk", "Sanne", "Lotte", "Femke"},
		last:          []string{"de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer", "Dijkstra", "van der Meer", "de Graaf", "Hoekstra", "Kuipers"},
		domains:       []weighted{{"gmail.com", 45}, {"ziggo.nl", 12}, {"kpnmail.nl", 10}, {"hotmail.nl", 10}, {"outlook.com", 8}},
	},
	{
		country: "PL", weight: 3, dialCode: "+48",
		phonePrefixes: []string{"50", "51", "53", "57", "60", "66", "69", "72", "73", "78", "79", "88"},
		phoneDigits:   7,
		feminine:      polishFeminine,
		male:          []string{"Łukasz", "Paweł", "Michał", "Wojciech", "Krzysztof", "Tomasz", "Piotr", "Jakub", "Mateusz", "Bartłomiej", "Grzegorz", "Jędrzej", "Przemysław", "Stanisław", "Mirosław", "Zbigniew"},
		female:        []string{"Agnieszka", "Małgorzata", "Katarzyna", "Joanna", "Magdalena", "Anna", "Zofia", "Dorota", "Ewa", "Jolanta", "Bożena", "Żaneta", "Jadwiga", "Grażyna", "Weronika", "Kinga"},
		last:          []string{"Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski", "Zieliński", "Szymański", "Woźniak", "Dąbrowski", "Kozłowski", "Jankowski", "Mazur", "Kwiatkowski", "Krawczyk", "Kaczmarek", "Piotrowski", "Grabowski", "Zając", "Pawłowski", "Michalski", "Król", "Wieczorek", "Jabłoński", "Wróbel", "Stępień", "Bąk", "Włodarczyk", "Sokołowski", "Kaźmierczak", "Głowacki", "Kołodziej", "Ziółkowski", "Źródło", "Śliwa", "Żak"},
		domains:       []weighted{{"gmail.com", 40}, {"wp.pl", 18}, {"onet.pl", 15}, {"o2.pl", 10}, {"interia.pl", 10}},
	},
	{
		country: "TR", weight: 3, dialCode: "+90",
		phonePrefixes: []string{"530", "532", "533", "535", "536", "541", "542", "505", "506", "555"},
		phoneDigits:   7,
		male:          []string{"Mehmet", "Mustafa", "Ahmet", "Ali", "Hüseyin", "Hasan", "İbrahim", "İsmail", "Osman", "Yusuf", "Murat", "Ömer", "Emre", "Burak", "Gökhan", "Serkan", "Çağrı", "Uğur", "Oğuz", "Barış"},
		female:        []string{"Ayşe", "Fatma", "Emine", "Hatice", "Zeynep", "Elif", "Merve", "Özlem", "Büşra", "Şule", "Gülşen", "Dilek", "Derya", "Sevgi", "Aslı", "İrem", "Ebru", "Çiğdem", "Gönül", "Nazlı"},
		last:          []string{"Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Yıldırım", "Öztürk", "Aydın", "Özdemir", "Arslan", "Doğan", "Kılıç", "Aslan", "Çetin", "Kara", "Koç", "Kurt", "Özkan", "Şimşek", "Polat", "Erdoğan", "Güneş", "Aksoy", "Korkmaz", "Ünal", "Güler", "Karataş", "Işık", "Çakır", "Uçar", "Sönmez", "Başaran", "Gündoğdu", "İnce"},
		domains:       []weighted{{"gmail.com", 55}, {"hotmail.com", 25}, {"yandex.com.tr", 6}, {"outlook.com", 8}},
	},
	{
		country: "DK", weight: 1, dialCode: "+45",
		phonePrefixes: []string{"2", "3", "4", "5", "6", "7", "8", "9"},
		phoneDigits:   7,
		male:          []string{"Søren", "Jens", "Rasmus", "Mikkel", "Anders", "Frederik", "Kasper", "Jørgen", "Nikolaj", "Mads", "Mogens", "Asbjørn"},
		female:        []string{"Mette", "Lærke", "Signe", "Freja", "Sofie", "Ida", "Maja", "Bodil", "Astrid", "Birgitte", "Tove", "Ea"},
		last:          []string{"Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen", "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen", "Møller", "Mortensen", "Østergaard", "Kjær", "Bæk", "Nørgaard", "Brøndum", "Frølund", "Ærbø"},
		domains:       []weighted{{"gmail.com", 50}, {"hotmail.dk", 15}, {"mail.dk", 10}, {"outlook.dk", 8}},
	},
	{
		country: "SE", weight: 1, dialCode: "+46",
		phonePrefixes: []string{"70", "72", "73", "76", "79"},
		phoneDigits:   7,
		male:          []string{"Erik", "Lars", "Karl", "Anders", "Johan", "Per", "Nils", "Björn", "Göran", "Måns", "Oskar", "Axel", "Hampus", "Sixten"},
		female:        []string{"Anna", "Maria", "Eva", "Karin", "Kristina", "Lena", "Åsa", "Märta", "Ingrid", "Linnéa", "Elsa", "Ebba", "Saga", "Tove"},
		last:          []string{"Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson", "Svensson", "Gustafsson", "Pettersson", "Jönsson", "Lindberg", "Lindström", "Lindqvist", "Bergström", "Sjöberg", "Håkansson", "Åberg", "Sjögren", "Öberg", "Ström", "Söderberg", "Holmström"},
		domains:       []weighted{{"gmail.com", 50}, {"telia.com", 12}, {"hotmail.se", 15}, {"outlook.com", 8}},
	},
	{
		country: "NO", weight: 1, dialCode: "+47",
		phonePrefixes: []string{"4", "9"},
		phoneDigits:   7,
		male:          []string{"Ole", "Håkon", "Øyvind", "Knut", "Magnus", "Sindre", "Torbjørn", "Eirik", "Vegard", "Bjørn"},
		female:        []string{"Ingrid", "Sigrid", "Kari", "Solveig", "Nora", "Ingeborg", "Åse", "Ragnhild", "Tuva", "Marte"},
		last:          []string{"Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen", "Berg", "Haugen", "Hagen", "Halvorsen", "Solberg", "Bakken", "Ødegård", "Bråthen", "Sæther", "Støre", "Løken", "Tømmerås"},
		domains:       []weighted{{"gmail.com", 50}, {"online.no", 12}, {"hotmail.no", 12}, {"outlook.com", 8}},
	},
	{
		country: "FI", weight: 1, dialCode: "+358",
		phonePrefixes: []string{"40", "41", "44", "45", "50"},
		phoneDigits:   7,
		male:          []string{"Mikko", "Juha", "Matti", "Jukka", "Timo", "Antti", "Jari", "Ville", "Väinö", "Eetu", "Tuomas"},
		female:        []string{"Aino", "Eeva", "Kaisa", "Päivi", "Sari", "Elina", "Liisa", "Hanna", "Lotta", "Siiri", "Minna"},
		last:          []string{"Korhonen", "Virtanen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen", "Laine", "Heikkinen", "Koskinen", "Järvinen", "Lehtonen", "Saarinen", "Salminen", "Kärkkäinen", "Räsänen", "Hyvönen", "Väisänen", "Pöllänen"},
		domains:       []weighted{{"gmail.com", 55}, {"luukku.com", 8}, {"hotmail.fi", 12}, {"outlook.com", 8}},
	},
	{
		country: "VN", weight: 3, dialCode: "+84",
		phonePrefixes: []string{"32", "33", "34", "35", "70", "77", "79", "81", "86", "90", "91", "93", "96", "97", "98"},
		phoneDigits:   7,
		familyFirst:   true,
		last:          []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"},
		middleM:       []string{"Văn", "Đức", "Minh", "Hữu", "Quốc", "Thanh", "Gia", "Công"},
		middleF:       []string{"Thị", "Ngọc", "Thu", "Thanh", "Bảo", "Minh", "Kim", "Mỹ"},
		male:          []string{"An", "Bảo", "Bình", "Cường", "Dũng", "Duy", "Đạt", "Hải", "Hiếu", "Hùng", "Huy", "Khánh", "Khoa", "Long", "Minh", "Nam", "Phúc", "Quân", "Quang", "Sơn", "Thắng", "Thành", "Trung", "Tuấn", "Tùng", "Việt"},
		female:        []string{"Anh", "Châu", "Chi", "Giang", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai", "My", "Ngọc", "Nhung", "Phương", "Tâm", "Thảo", "Trang", "Uyên", "Vân", "Vy", "Xuân", "Yến", "Ánh"},
		domains:       []weighted{{"gmail.com", 75}, {"yahoo.com.vn", 10}, {"outlook.com", 5}},
	},
	{
		country: "JP", weight: 3, dialCode: "+81",
		phonePrefixes: []string{"70", "80", "90"},
		phoneDigits:   8,
		male:          []string{"Haruto", "Sōta", "Ren", "Yūto", "Takumi", "Kenji", "Hiroshi", "Takeshi", "Shōhei", "Ryōta", "Kōki", "Daisuke", "Kazuo", "Tarō", "Shinji", "Yuto", "Sota", "Ryota"},
		female:        []string{"Yui", "Yuna", "Hina", "Aoi", "Sakura", "Yōko", "Keiko", "Naoko", "Yūki", "Ayumi", "Emi", "Megumi", "Mao", "Yuki", "Yoko"},
		last:          []string{"Satō", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Itō", "Yamamoto", "Nakamura", "Kobayashi", "Katō", "Yoshida", "Yamada", "Sasaki", "Yamaguchi", "Matsumoto", "Inoue", "Kimura", "Hayashi", "Shimizu", "Mori", "Abe", "Ikeda", "Hashimoto", "Ishikawa", "Ogawa", "Gotō", "Okada", "Saitō", "Endō", "Ōta", "Ōno", "Ōtani", "Sato", "Ito", "Kato"},
		domains:       []weighted{{"gmail.com", 45}, {"yahoo.co.jp", 20}, {"docomo.ne.jp", 8}, {"icloud.com", 12}, {"ezweb.ne.jp", 4}},
	},
	{
		country: "SA", weight: 2, dialCode: "+966",
		phonePrefixes: []string{"50", "53", "54", "55", "56", "59"},
		phoneDigits:   7,
		male:          []string{"Mohammed", "Ahmed", "Abdullah", "Omar", "Khalid", "Yousef", "Faisal", "Saud", "Abdulrahman", "Turki", "Nawaf", "Bandar"},
		female:        []string{"Fatima", "Aisha", "Maryam", "Noura", "Layla", "Huda", "Sara", "Reem", "Hessa", "Amal", "Lama", "Jawaher"},
		last:          []string{"Al-Qahtani", "Al-Otaibi", "Al-Ghamdi", "Al-Harbi", "Al-Zahrani", "Al-Dosari", "Al-Mutairi", "Al-Shehri", "Al-Anazi", "Al-Shammari", "Al-Subaie", "Al-Rashid", "Bin Saleh", "Al-Ṣāliḥ"},
		domains:       []weighted{{"gmail.com", 55}, {"hotmail.com", 25}, {"outlook.sa", 4}, {"yahoo.com", 6}},
	},
	{
		country: "AE", weight: 1, dialCode: "+971",
		phonePrefixes: []string{"50", "52", "54", "55", "56", "58"},
		phoneDigits:   7,
		male:          []string{"Mohammed", "Hamdan", "Zayed", "Rashid", "Sultan", "Saeed", "Hamad", "Khalifa", "Majid", "Ali"},
		female:        []string{"Mariam", "Shaikha", "Latifa", "Fatima", "Aisha", "Hind", "Mozah", "Noor", "Alia", "Maitha"},
		last:          []string{"Al-Maktoum", "Al-Nahyan", "Al-Falasi", "Al-Mansouri", "Al-Hashimi", "Al Suwaidi", "Al Marzouqi", "Al Ketbi", "Al Shamsi", "Al Mazrouei", "Al Nuaimi"},
		domains:       []weighted{{"gmail.com", 50}, {"hotmail.com", 20}, {"emirates.net.ae", 6}, {"outlook.com", 10}},
	},
	{
		country: "EG", weight: 2, dialCode: "+20",
		phonePrefixes: []string{"10", "11", "12", "15"},
		phoneDigits:   8,
		male:          []string{"Mahmoud", "Mostafa", "Hussein", "Ahmed", "Mohamed", "Karim", "Tarek", "Amr", "Youssef", "Omar", "Ibrahim", "Hany"},
		female:        []string{"Salma", "Mona", "Yasmin", "Rania", "Dalia", "Nour", "Asmaa", "Heba", "Mai", "Shaimaa", "Nesma", "Aya"},
		last:          []string{"El-Sayed", "Abdel-Rahman", "Hassan", "Mahmoud", "Ibrahim", "Mostafa", "Farouk", "Soliman", "Abdelaziz", "Nasser", "Saleh", "Darwish", "Mubarak", "Gaber", "Fawzy", "El-Masry", "Shenouda", "Girgis"},
		domains:       []weighted{{"gmail.com", 55}, {"yahoo.com", 20}, {"hotmail.com", 15}},
	},
	{
		country: "NG", weight: 3, dialCode: "+234",
		phonePrefixes: []string{"703", "706", "803", "806", "810", "813", "816", "903", "906", "701", "802", "808", "805", "807", "809"},
		phoneDigits:   7,
		male:          []string{"Chukwuemeka", "Oluwaseun", "Adebayo", "Emeka", "Olumide", "Tunde", "Obinna", "Chinonso", "Abubakar", "Musa", "Babatunde", "Kelechi", "Uchenna", "Ibrahim", "Femi", "Ikenna", "Ebuka", "Adéwálé", "Olúwaṣeun"},
		female:        []string{"Ngozi", "Chiamaka", "Funmilayo", "Ifeoma", "Yetunde", "Aisha", "Zainab", "Nneka", "Temitope", "Amaka", "Halima", "Bisola", "Folake", "Chidinma", "Adébáyọ̀"},
		last:          []string{"Okafor", "Adeyemi", "Okonkwo", "Nwosu", "Eze", "Obi", "Adebayo", "Bello", "Ogunleye", "Olawale", "Abubakar", "Ibrahim", "Mohammed", "Okeke", "Chukwu", "Nwachukwu", "Adeleke", "Afolabi", "Akinola", "Balogun", "Danjuma", "Igwe", "Ojo", "Olatunji", "Uzoma", "Yusuf", "Àlàbí", "Ọlábọ̀dé"},
		domains:       []weighted{{"gmail.com", 65}, {"yahoo.com", 25}, {"outlook.com", 5}},
	},
	{
		country: "IN", weight: 5, dialCode: "+91",
		phonePrefixes: []string{"6", "7", "8", "9"},
		phoneDigits:   9,
		male:          []string{"Aarav", "Vivaan", "Aditya", "Vihaan", "Arjun", "Sai", "Reyansh", "Krishna", "Ishaan", "Rohan", "Rahul", "Amit", "Rajesh", "Sunil", "Vikram", "Sanjay", "Karthik", "Suresh", "Venkatesh", "Harpreet", "Gurpreet"},
		female:        []string{"Priya", "Ananya", "Diya", "Aadhya", "Saanvi", "Pooja", "Neha", "Kavya", "Lakshmi", "Sneha", "Deepika", "Meera", "Shreya", "Divya", "Simran", "Anjali"},
		last:          []string{"Sharma", "Verma", "Gupta", "Singh", "Kumar", "Patel", "Shah", "Mehta", "Iyer", "Iyengar", "Reddy", "Rao", "Nair", "Menon", "Pillai", "Das", "Banerjee", "Chatterjee", "Mukherjee", "Bose", "Ghosh", "Joshi", "Kulkarni", "Deshpande", "Patil", "Jain", "Agarwal", "Malhotra", "Kapoor", "Khanna", "Chopra", "Saxena", "Srivastava", "Mishra", "Pandey", "Yadav", "Naidu", "Krishnan", "Subramanian", "Gill", "Sandhu", "Dhillon"},
		domains:       []weighted{{"gmail.com", 60}, {"yahoo.co.in", 12}, {"rediffmail.com", 6}, {"outlook.com", 8}, {"hotmail.com", 5}},
	},
}

// currency is a transaction currency with its rate to USD: one unit is worth
// usdPerUnit/rateScale dollars. Zero-decimal currencies (JPY, VND) keep whole
// units; amounts are still hundredths in the database.
type currency struct {
	code        string
	usdPerUnit  int64 // × rateScale
	zeroDecimal bool
	pegged      bool // no day-to-day jitter
}

const rateScale = 10_000_000_000 // 1e10: exchange rates carry 10 decimals

var currencies = map[string]currency{
	"USD": {code: "USD", usdPerUnit: rateScale},
	"EUR": {code: "EUR", usdPerUnit: 10_850_000_000},
	"GBP": {code: "GBP", usdPerUnit: 12_700_000_000},
	"MXN": {code: "MXN", usdPerUnit: 580_000_000},
	"BRL": {code: "BRL", usdPerUnit: 1_950_000_000},
	"ARS": {code: "ARS", usdPerUnit: 11_500_000},
	"COP": {code: "COP", usdPerUnit: 2_500_000, zeroDecimal: true},
	"PLN": {code: "PLN", usdPerUnit: 2_500_000_000},
	"TRY": {code: "TRY", usdPerUnit: 310_000_000},
	"DKK": {code: "DKK", usdPerUnit: 1_455_000_000, pegged: true},
	"SEK": {code: "SEK", usdPerUnit: 950_000_000},
	"NOK": {code: "NOK", usdPerUnit: 930_000_000},
	"VND": {code: "VND", usdPerUnit: 400_000, zeroDecimal: true},
	"JPY": {code: "JPY", usdPerUnit: 67_000_000, zeroDecimal: true},
	"INR": {code: "INR", usdPerUnit: 120_000_000},
	"NGN": {code: "NGN", usdPerUnit: 6_500_000},
	"SAR": {code: "SAR", usdPerUnit: 2_666_666_667, pegged: true},
	"AED": {code: "AED", usdPerUnit: 2_722_940_000, pegged: true},
	"EGP": {code: "EGP", usdPerUnit: 205_000_000},
	"CAD": {code: "CAD", usdPerUnit: 7_350_000_000},
}

// merchant is where a card is used; min and max bound a purchase in whole
// units of the merchant's currency.
type merchant struct {
	name, city, country, mcc, currency string
	min, max                           int64
}

// mccATM is the merchant category of cash withdrawals, which carry an ATM
// fee. (Fuel pumps, 5541, are recognised by their fixed pre-authorisation:
// merchants whose min equals max.)
const mccATM = "6011"

var onlineMerchants = []merchant{
	{"AMZN Mktp US", "SEATTLE", "US", "5999", "USD", 8, 250},
	{"AMAZON.COM", "SEATTLE", "US", "5942", "USD", 10, 180},
	{"NETFLIX.COM", "LOS GATOS", "US", "4899", "USD", 8, 23},
	{"SPOTIFY USA", "NEW YORK", "US", "5815", "USD", 10, 17},
	{"APPLE.COM/BILL", "CUPERTINO", "US", "5818", "USD", 1, 30},
	{"GOOGLE *YouTubePremium", "MOUNTAIN VIEW", "US", "5815", "USD", 12, 23},
	{"OPENAI *CHATGPT SUBSCR", "SAN FRANCISCO", "US", "5734", "USD", 20, 200},
	{"ANTHROPIC", "SAN FRANCISCO", "US", "5734", "USD", 18, 200},
	{"UBER *TRIP", "SAN FRANCISCO", "US", "4121", "USD", 6, 60},
	{"UBER *EATS", "SAN FRANCISCO", "US", "5812", "USD", 12, 70},
	{"AIRBNB * HMQ2XK9TPB", "SAN FRANCISCO", "US", "7011", "USD", 80, 1200},
	{"STEAMGAMES.COM 4259522985", "BELLEVUE", "US", "5816", "USD", 5, 70},
	{"PlayStation Network", "SAN MATEO", "US", "5816", "USD", 10, 70},
	{"MICROSOFT*XBOX", "REDMOND", "US", "5816", "USD", 10, 70},
	{"ADOBE *CREATIVE CLOUD", "SAN JOSE", "US", "5734", "USD", 20, 60},
	{"GITHUB, INC.", "SAN FRANCISCO", "US", "5734", "USD", 4, 21},
	{"DIGITALOCEAN.COM", "NEW YORK", "US", "4816", "USD", 5, 200},
	{"NAMECHEAP.COM", "PHOENIX", "US", "4816", "USD", 9, 60},
	{"SHOPIFY* 1293844", "OTTAWA", "CA", "5734", "USD", 5, 300},
	{"ALIEXPRESS", "HANGZHOU", "CN", "5999", "USD", 3, 120},
	{"TEMU.COM", "DUBLIN", "IE", "5999", "USD", 5, 90},
	{"AWS EMEA", "LUXEMBOURG", "LU", "4816", "EUR", 1, 400},
	{"BOOKING.COM", "AMSTERDAM", "NL", "4722", "EUR", 60, 900},
	{"RYANAIR", "DUBLIN", "IE", "4511", "EUR", 20, 250},
	{"EXPEDIA 72913812", "SEATTLE", "US", "4722", "USD", 90, 1500},
	{"NOTION LABS", "SAN FRANCISCO", "US", "5734", "USD", 8, 20},
	{"DUOLINGO", "PITTSBURGH", "US", "5817", "USD", 7, 13},
	{"CANVA* I03941-29931", "SURRY HILLS", "AU", "5734", "USD", 13, 15},
}

// localMerchants lists merchants by country (ISO-2); a cardholder buys mostly
// at home.
var localMerchants = map[string][]merchant{
	"US": {
		{"WHOLEFDS MKT 10234", "AUSTIN", "US", "5411", "USD", 10, 250},
		{"TARGET 00012345", "MINNEAPOLIS", "US", "5310", "USD", 8, 200},
		{"CVS/PHARMACY #07621", "NEW YORK", "US", "5912", "USD", 4, 80},
		{"SHELL OIL 57442", "HOUSTON", "US", "5541", "USD", 100, 100},
		{"CHEVRON 0304455", "LOS ANGELES", "US", "5541", "USD", 125, 125},
		{"TRADER JOE'S #552", "LOS ANGELES", "US", "5411", "USD", 15, 160},
		{"COSTCO WHSE #0482", "SAN DIEGO", "US", "5300", "USD", 40, 450},
		{"THE HOME DEPOT #6543", "ATLANTA", "US", "5200", "USD", 10, 600},
		{"CHIPOTLE 1832", "DENVER", "US", "5814", "USD", 9, 30},
		{"STARBUCKS STORE 04912", "SEATTLE", "US", "5814", "USD", 3, 15},
		{"MCDONALD'S F1234", "CHICAGO", "US", "5814", "USD", 5, 25},
		{"DELTA AIR 0062345678", "ATLANTA", "US", "3058", "USD", 150, 900},
		{"MARRIOTT NEW YORK", "NEW YORK", "US", "3509", "USD", 180, 1200},
		{"LYFT *RIDE", "SAN FRANCISCO", "US", "4121", "USD", 7, 55},
		{"DOORDASH*ORDER", "SAN FRANCISCO", "US", "5812", "USD", 15, 80},
		{"ATM CHASE BANK", "NEW YORK", "US", "6011", "USD", 20, 400},
	},
	"GB": {
		{"TESCO STORES 2041", "LONDON", "GB", "5411", "GBP", 5, 120},
		{"SAINSBURY'S S/MKT", "MANCHESTER", "GB", "5411", "GBP", 5, 140},
		{"TFL TRAVEL CH", "LONDON", "GB", "4111", "GBP", 2, 15},
		{"PRET A MANGER", "LONDON", "GB", "5814", "GBP", 3, 18},
		{"BOOTS 1124", "BIRMINGHAM", "GB", "5912", "GBP", 3, 60},
		{"DELIVEROO", "LONDON", "GB", "5812", "GBP", 12, 60},
		{"TRAINLINE", "LONDON", "GB", "4112", "GBP", 10, 180},
		{"J D WETHERSPOON", "LEEDS", "GB", "5813", "GBP", 4, 45},
		{"AMAZON.CO.UK", "LONDON", "GB", "5999", "GBP", 6, 200},
		{"LINK ATM", "EDINBURGH", "GB", "6011", "GBP", 20, 300},
	},
	"ES": {
		{"MERCADONA", "VALENCIA", "ES", "5411", "EUR", 8, 120},
		{"EL CORTE INGLES", "MADRID", "ES", "5311", "EUR", 15, 400},
		{"RENFE VIAJEROS", "MADRID", "ES", "4112", "EUR", 15, 90},
		{"CABIFY", "MADRID", "ES", "4121", "EUR", 7, 45},
		{"ZARA ESPAÑA", "A CORUÑA", "ES", "5651", "EUR", 15, 150},
		{"CAFETERÍA LA ESQUINA", "SEVILLA", "ES", "5812", "EUR", 2, 25},
		{"REPSOL ESTACIÓN 4412", "BARCELONA", "ES", "5541", "EUR", 90, 90},
		{"GLOVO*PEDIDO", "BARCELONA", "ES", "5812", "EUR", 12, 50},
		{"FARMACIA LÓPEZ", "BILBAO", "ES", "5912", "EUR", 3, 60},
		{"CAJERO CAIXABANK", "BARCELONA", "ES", "6011", "EUR", 20, 300},
	},
	"MX": {
		{"OXXO INSURGENTES", "CIUDAD DE MEXICO", "MX", "5499", "MXN", 20, 500},
		{"WALMART EXPRESS", "GUADALAJARA", "MX", "5411", "MXN", 150, 3000},
		{"LIVERPOOL POLANCO", "CIUDAD DE MEXICO", "MX", "5311", "MXN", 300, 8000},
		{"DIDI FOOD", "MONTERREY", "MX", "5812", "MXN", 150, 900},
		{"PEMEX ES 1234", "MONTERREY", "MX", "5541", "MXN", 1000, 1000},
		{"SANBORNS", "PUEBLA", "MX", "5812", "MXN", 180, 1500},
		{"TELCEL RECARGA", "CIUDAD DE MEXICO", "MX", "4814", "MXN", 50, 500},
		{"CINEPOLIS", "QUERETARO", "MX", "7832", "MXN", 90, 600},
		{"CAJERO BBVA", "CIUDAD DE MEXICO", "MX", "6011", "MXN", 300, 6000},
	},
	"AR": {
		{"MERCADOPAGO*MERCADOLIBRE", "BUENOS AIRES", "AR", "5399", "ARS", 5000, 250000},
		{"CARREFOUR ARGENTINA", "BUENOS AIRES", "AR", "5411", "ARS", 3000, 120000},
		{"YPF SERVICENTRO", "CORDOBA", "AR", "5541", "ARS", 40000, 40000},
		{"RAPPI*RESTAURANTE", "ROSARIO", "AR", "5812", "ARS", 6000, 45000},
		{"FRAVEGA", "MENDOZA", "AR", "5732", "ARS", 30000, 900000},
	},
	"CO": {
		{"ALMACENES EXITO", "BOGOTA", "CO", "5411", "COP", 15000, 600000},
		{"RAPPI COLOMBIA", "MEDELLIN", "CO", "5812", "COP", 20000, 150000},
		{"TIENDAS D1", "CALI", "CO", "5411", "COP", 8000, 200000},
		{"TERPEL", "BARRANQUILLA", "CO", "5541", "COP", 150000, 150000},
	},
	"BR": {
		{"IFOOD *IFOOD", "SAO PAULO", "BR", "5812", "BRL", 25, 180},
		{"PAG*MERCADOLIVRE", "OSASCO", "BR", "5399", "BRL", 20, 1500},
		{"PAO DE ACUCAR", "SAO PAULO", "BR", "5411", "BRL", 15, 600},
		{"DROGASIL", "RIO DE JANEIRO", "BR", "5912", "BRL", 10, 250},
		{"POSTO IPIRANGA", "CURITIBA", "BR", "5541", "BRL", 300, 300},
		{"99 *POP", "SAO PAULO", "BR", "4121", "BRL", 9, 80},
		{"LOJAS AMERICANAS", "BELO HORIZONTE", "BR", "5310", "BRL", 15, 900},
		{"PADARIA SÃO JORGE", "PORTO ALEGRE", "BR", "5462", "BRL", 5, 60},
	},
	"PT": {
		{"CONTINENTE", "PORTO", "PT", "5411", "EUR", 6, 150},
		{"PINGO DOCE", "LISBOA", "PT", "5411", "EUR", 4, 110},
		{"CP COMBOIOS", "LISBOA", "PT", "4112", "EUR", 3, 60},
		{"PASTELARIA BÉNARD", "LISBOA", "PT", "5812", "EUR", 2, 20},
		{"GALP", "BRAGA", "PT", "5541", "EUR", 70, 70},
	},
	"DE": {
		{"REWE MARKT GMBH", "BERLIN", "DE", "5411", "EUR", 5, 140},
		{"EDEKA", "HAMBURG", "DE", "5411", "EUR", 5, 120},
		{"DB VERTRIEB GMBH", "FRANKFURT AM MAIN", "DE", "4112", "EUR", 9, 180},
		{"LIDL DIENSTLEISTUNG", "NECKARSULM", "DE", "5411", "EUR", 5, 90},
		{"ROSSMANN", "HANNOVER", "DE", "5912", "EUR", 3, 60},
		{"MÜLLER DROGERIE", "ULM", "DE", "5912", "EUR", 3, 70},
		{"BÄCKEREI SCHÜTTE", "KÖLN", "DE", "5462", "EUR", 2, 18},
		{"ARAL TANKSTELLE", "MÜNCHEN", "DE", "5541", "EUR", 100, 100},
		{"MEDIAMARKT", "INGOLSTADT", "DE", "5732", "EUR", 20, 1200},
		{"LIEFERANDO.DE", "BERLIN", "DE", "5812", "EUR", 12, 60},
		{"GELDAUTOMAT SPARKASSE", "DRESDEN", "DE", "6011", "EUR", 20, 400},
	},
	"FR": {
		{"CARREFOUR CITY", "PARIS", "FR", "5411", "EUR", 4, 90},
		{"MONOPRIX", "PARIS", "FR", "5411", "EUR", 5, 130},
		{"SNCF VOYAGEURS", "PARIS", "FR", "4112", "EUR", 15, 200},
		{"FNAC", "LYON", "FR", "5732", "EUR", 10, 800},
		{"BOULANGERIE PAUL", "LILLE", "FR", "5462", "EUR", 2, 20},
		{"TOTALENERGIES", "MARSEILLE", "FR", "5541", "EUR", 120, 120},
		{"PHARMACIE DU CENTRE", "NICE", "FR", "5912", "EUR", 4, 70},
		{"CAFÉ DE FLORE", "PARIS", "FR", "5812", "EUR", 6, 80},
		{"RATP", "PARIS", "FR", "4111", "EUR", 2, 90},
	},
	"IT": {
		{"ESSELUNGA", "MILANO", "IT", "5411", "EUR", 6, 150},
		{"TRENITALIA", "ROMA", "IT", "4112", "EUR", 10, 120},
		{"BAR CENTRALE", "NAPOLI", "IT", "5812", "EUR", 1, 20},
		{"COOP ITALIA", "BOLOGNA", "IT", "5411", "EUR", 5, 120},
		{"ENI STATION", "TORINO", "IT", "5541", "EUR", 80, 80},
		{"AUTOGRILL", "FIRENZE", "IT", "5812", "EUR", 4, 35},
	},
	"NL": {
		{"ALBERT HEIJN 1403", "AMSTERDAM", "NL", "5411", "EUR", 4, 110},
		{"NS GROEP", "UTRECHT", "NL", "4112", "EUR", 3, 60},
		{"JUMBO", "ROTTERDAM", "NL", "5411", "EUR", 5, 100},
		{"HEMA", "DEN HAAG", "NL", "5311", "EUR", 3, 80},
		{"BOL.COM", "UTRECHT", "NL", "5999", "EUR", 8, 400},
	},
	"PL": {
		{"BIEDRONKA 3412", "WARSZAWA", "PL", "5411", "PLN", 10, 400},
		{"ŻABKA Z8812", "KRAKÓW", "PL", "5499", "PLN", 5, 80},
		{"ORLEN STACJA", "GDAŃSK", "PL", "5541", "PLN", 400, 400},
		{"ALLEGRO.PL", "POZNAŃ", "PL", "5999", "PLN", 20, 1500},
		{"PKP INTERCITY", "WARSZAWA", "PL", "4112", "PLN", 30, 250},
		{"LIDL SP. Z O.O.", "WROCŁAW", "PL", "5411", "PLN", 10, 350},
	},
	"TR": {
		{"MIGROS", "ISTANBUL", "TR", "5411", "TRY", 80, 3000},
		{"BIM BIRLESIK MAGAZALAR", "ISTANBUL", "TR", "5411", "TRY", 50, 1500},
		{"TRENDYOL", "ISTANBUL", "TR", "5999", "TRY", 150, 8000},
		{"SHELL TURKIYE", "ANKARA", "TR", "5541", "TRY", 2000, 2000},
		{"YEMEKSEPETI", "İZMİR", "TR", "5812", "TRY", 200, 1200},
		{"ŞOK MARKET", "BURSA", "TR", "5411", "TRY", 40, 900},
	},
	"DK": {
		{"NETTO", "KØBENHAVN", "DK", "5411", "DKK", 30, 700},
		{"7-ELEVEN", "AARHUS", "DK", "5499", "DKK", 15, 150},
		{"DSB", "KØBENHAVN", "DK", "4112", "DKK", 24, 450},
	},
	"SE": {
		{"ICA NÄRA", "STOCKHOLM", "SE", "5411", "SEK", 30, 900},
		{"SJ AB", "STOCKHOLM", "SE", "4112", "SEK", 90, 1200},
		{"SYSTEMBOLAGET", "GÖTEBORG", "SE", "5921", "SEK", 90, 800},
		{"PRESSBYRÅN", "MALMÖ", "SE", "5994", "SEK", 20, 120},
	},
	"NO": {
		{"REMA 1000", "OSLO", "NO", "5411", "NOK", 30, 900},
		{"VY", "OSLO", "NO", "4112", "NOK", 40, 900},
		{"KIWI", "BERGEN", "NO", "5411", "NOK", 25, 700},
		{"VINMONOPOLET", "TRONDHEIM", "NO", "5921", "NOK", 150, 1200},
	},
	"FI": {
		{"K-CITYMARKET", "HELSINKI", "FI", "5411", "EUR", 5, 150},
		{"S-MARKET", "TAMPERE", "FI", "5411", "EUR", 4, 120},
		{"VR", "HELSINKI", "FI", "4112", "EUR", 5, 90},
		{"ALKO", "TURKU", "FI", "5921", "EUR", 10, 80},
	},
	"VN": {
		{"WINMART", "HA NOI", "VN", "5411", "VND", 40000, 2000000},
		{"GRAB*RIDE", "HO CHI MINH", "VN", "4121", "VND", 25000, 400000},
		{"HIGHLANDS COFFEE", "DA NANG", "VN", "5814", "VND", 35000, 200000},
		{"CIRCLE K", "HO CHI MINH", "VN", "5499", "VND", 10000, 300000},
		{"SHOPEE VN", "HO CHI MINH", "VN", "5999", "VND", 50000, 5000000},
	},
	"JP": {
		{"LAWSON", "TOKYO", "JP", "5499", "JPY", 150, 3000},
		{"FAMILYMART", "OSAKA", "JP", "5499", "JPY", 150, 3000},
		{"JR EAST", "TOKYO", "JP", "4112", "JPY", 200, 15000},
		{"UNIQLO GINZA", "TOKYO", "JP", "5651", "JPY", 1000, 20000},
		{"YODOBASHI CAMERA", "SHINJUKU", "JP", "5732", "JPY", 2000, 150000},
		{"ICHIRAN RAMEN", "FUKUOKA", "JP", "5812", "JPY", 980, 3000},
		{"7-ELEVEN JAPAN", "KYOTO", "JP", "5499", "JPY", 100, 2500},
	},
	"SA": {
		{"PANDA HYPERMARKET", "RIYADH", "SA", "5411", "SAR", 20, 900},
		{"JARIR BOOKSTORE", "JEDDAH", "SA", "5942", "SAR", 30, 4000},
		{"ALDREES PETROL", "DAMMAM", "SA", "5541", "SAR", 150, 150},
		{"HUNGERSTATION", "RIYADH", "SA", "5812", "SAR", 30, 250},
	},
	"AE": {
		{"CARREFOUR MOE", "DUBAI", "AE", "5411", "AED", 20, 1200},
		{"NOON.COM", "DUBAI", "AE", "5999", "AED", 25, 3000},
		{"EMIRATES 1762345678", "DUBAI", "AE", "3026", "AED", 900, 9000},
		{"ENOC", "ABU DHABI", "AE", "5541", "AED", 150, 150},
		{"CAREEM", "DUBAI", "AE", "4121", "AED", 15, 120},
	},
	"EG": {
		{"CARREFOUR MAADI", "CAIRO", "EG", "5411", "EGP", 150, 8000},
		{"TALABAT", "CAIRO", "EG", "5812", "EGP", 150, 1500},
		{"VODAFONE EGYPT", "GIZA", "EG", "4814", "EGP", 50, 1000},
	},
	"NG": {
		{"SHOPRITE LEKKI", "LAGOS", "NG", "5411", "NGN", 3000, 150000},
		{"JUMIA NIGERIA", "LAGOS", "NG", "5999", "NGN", 5000, 400000},
		{"CHICKEN REPUBLIC", "ABUJA", "NG", "5814", "NGN", 2500, 25000},
		{"BOLT.EU/O/2312", "LAGOS", "NG", "4121", "NGN", 1500, 20000},
		{"MTN NIGERIA", "LAGOS", "NG", "4814", "NGN", 1000, 20000},
		{"TOTALENERGIES NG", "PORT HARCOURT", "NG", "5541", "NGN", 50000, 50000},
	},
	"IN": {
		{"SWIGGY", "BENGALURU", "IN", "5812", "INR", 150, 1500},
		{"ZOMATO", "GURUGRAM", "IN", "5812", "INR", 150, 1500},
		{"FLIPKART", "BENGALURU", "IN", "5999", "INR", 300, 60000},
		{"RELIANCE FRESH", "MUMBAI", "IN", "5411", "INR", 100, 4000},
		{"IRCTC", "NEW DELHI", "IN", "4112", "INR", 200, 5000},
		{"INDIAN OIL", "CHENNAI", "IN", "5541", "INR", 2000, 2000},
		{"OLA CABS", "BENGALURU", "IN", "4121", "INR", 80, 900},
	},
}

// declineReason is an ISO 8583 response code with its description.
type declineReason struct {
	code, description string
	weight            int
}

var (
	declineInsufficient = declineReason{"51", "Insufficient funds", 0}
	declineLimit        = declineReason{"61", "Exceeds amount limit", 0}
	declineRestricted   = declineReason{"62", "Restricted card", 0}
	declineExpired      = declineReason{"54", "Expired card", 0}
)

// randomDeclines are the reasons an otherwise affordable authorization is
// declined.
var randomDeclines = []declineReason{
	{"05", "Do not honor", 40},
	{"59", "Suspected fraud", 15},
	{"57", "Transaction not permitted to cardholder", 12},
	{"N7", "Decline for CVV2 failure", 12},
	{"62", "Restricted card", 6},
	{"14", "Invalid card number", 5},
	{"65", "Exceeds withdrawal count limit", 5},
	{"1A", "Additional customer authentication required", 5},
}

// devices lists mobile-wallet providers and the devices they run on.
var devices = map[string][]string{
	"GOOGLE_PAY":  {"Pixel 8", "Pixel 8 Pro", "Pixel 7a", "Pixel 9", "Pixel 9 Pro XL", "Pixel Watch 2", "Xiaomi 13T", "OnePlus 12", "Motorola Edge 40", "Galaxy S23", "Redmi Note 13"},
	"APPLE_PAY":   {"iPhone 15", "iPhone 15 Pro Max", "iPhone 14", "iPhone 13 mini", "iPhone SE", "iPhone 16 Pro", "Apple Watch Series 9", "iPad Air"},
	"SAMSUNG_PAY": {"Galaxy S24 Ultra", "Galaxy A54", "Galaxy Z Flip5", "Galaxy Watch6", "Galaxy S22"},
}

var walletProviders = []weighted{{"APPLE_PAY", 45}, {"GOOGLE_PAY", 42}, {"SAMSUNG_PAY", 13}}

// BINs: the sandbox issues Visa numbers (they start with 4).
var (
	virtualBINs  = []weighted{{"457173", 50}, {"485932", 30}, {"423914", 20}}
	physicalBINs = []weighted{{"446291", 70}, {"457173", 30}}
)

// Polygon token contracts.
const (
	blockchain   = "POLYGON"
	usdcAddress  = "0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359"
	usdtAddress  = "0xc2132D05D31c914a87C6611C10748AEb04B58e8F"
	usdcName     = "USD Coin"
	usdtName     = "Tether USD"
	symbolUSDC   = "USDC"
	symbolUSDT   = "USDT"
	holdingAlias = "Holding wallet · Polygon"
)

var virtualWalletAliases = []string{
	"Treasury operations", "Payroll LATAM", "Payroll EU", "Marketing spend", "Travel & expenses",
	"Vendor payouts", "Client 0041 · Acme Ltda", "Client 0057 · Müller & Söhne GmbH",
	"Client 0063 · Estúdio Criativo", "Client 0078 · Nordlys AS", "Client 0102 · Yıldız Lojistik",
	"Client 0115 · Sakura Trading", "Client 0131 · Lagos Ventures", "Client 0144 · Café Olé SL",
	"Reserve", "Refunds float", "Partner rewards", "Ads · Meta", "Ads · Google", "SaaS subscriptions",
	"Cloud infrastructure", "Contractors APAC", "Contractors EMEA", "Hardware purchases",
	"Events 2025", "R&D", "Customer success", "Sales team", "Legal & compliance", "Office Madrid",
	"Office São Paulo", "Office Berlin", "Office CDMX", "Office Lagos", "Office Bengaluru", "Sandbox testing",
}
